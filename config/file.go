package config

import (
	"slices"
)

// config checks the whole file: each table on its own, then what tables
// say about each other (names that must be unique, names that must exist).
func (l *loader) config(tree map[string]any) *Config {
	l.table("", 0, tree).checkUnknown()

	cfg := &Config{}
	settings := l.single(tree, "settings")
	cfg.Settings = l.settings(settings)
	cfg.Settings.Shard = shard(settings)
	cfg.Peers = peers(settings)

	alertTables := l.array(tree, "alert")
	for _, t := range alertTables {
		cfg.Alerts = append(cfg.Alerts, l.alert(t))
	}
	l.unique(alertTables, func(i int) string { return cfg.Alerts[i].Name }, "alert")
	alertNames := make([]string, len(cfg.Alerts))
	for i, a := range cfg.Alerts {
		alertNames[i] = a.Name
	}

	monitorTables := l.array(tree, "monitor")
	for _, t := range monitorTables {
		cfg.Monitors = append(cfg.Monitors, l.monitor(t, &cfg.Settings, alertNames))
	}
	l.uniqueMonitors(monitorTables, cfg.Monitors)
	l.uniqueTags(monitorTables, cfg.Monitors)
	l.dependencies(monitorTables, cfg.Monitors)

	var monitorNames, tags []string
	for _, m := range cfg.Monitors {
		monitorNames = append(monitorNames, m.Name)
		for _, tag := range m.Tags {
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
	}
	maintenanceTables := l.array(tree, "maintenance")
	for _, t := range maintenanceTables {
		cfg.Maintenance = append(cfg.Maintenance, l.maintenance(t, monitorNames, tags))
	}
	l.unique(maintenanceTables, func(i int) string { return cfg.Maintenance[i].Name }, "maintenance window")

	pageTables := l.array(tree, "status_page")
	for _, t := range pageTables {
		cfg.StatusPages = append(cfg.StatusPages, l.statusPage(t, monitorNames, tags))
	}
	l.uniquePages(pageTables, cfg.StatusPages)

	cfg.API = l.api(l.single(tree, "api"))
	checkPeers(settings, cfg.Peers, struct{ listen, external string }{cfg.API.Listen, cfg.API.ExternalURL})
	cfg.Fleet = fleetList(l.single(tree, "fleet"))
	return cfg
}

// single returns the table [name], empty when the file has none.
func (l *loader) single(tree map[string]any, name string) *table {
	v, ok := l.table("", 0, tree).get(name)
	if !ok {
		return l.table(name, 0, map[string]any{})
	}
	if m, ok := v.(map[string]any); ok {
		return l.table(name, 0, m)
	}
	top := l.table("", 0, tree)
	if _, ok := tables(v); ok {
		top.errorf(name, "write [%s] once, not [[%s]]", name, name)
	} else {
		top.errorf(name, "must be a table, written [%s], not %s", name, typeName(v))
	}
	return l.table(name, 0, map[string]any{})
}

// array returns the tables [[name]], in the order they are written.
func (l *loader) array(tree map[string]any, name string) []*table {
	v, ok := l.table("", 0, tree).get(name)
	if !ok {
		return nil
	}
	list, ok := tables(v)
	if !ok {
		top := l.table("", 0, tree)
		if _, isTable := v.(map[string]any); isTable {
			top.errorf(name, "write [[%s]] (two brackets) for each %s, not [%s]", name, name, name)
		} else {
			top.errorf(name, "must be tables written [[%s]], not %s", name, typeName(v))
		}
		return nil
	}
	out := make([]*table, len(list))
	for i, m := range list {
		out[i] = l.table(name, i, m)
	}
	return out
}
