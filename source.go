package main

import "github.com/upbeat-monitor/upbeat/source/local"

// localSource shows the runtime's engine to viewers in this process (the
// dashboard, the SSH dashboard) and to the API: config is what their
// header calls the configuration, demo says it is the built-in demo.
func (rt *runtime) localSource(config string, demo bool) *local.Source {
	return local.New(rt.eng, local.Options{Config: config, Demo: demo, Incidents: rt.incidents})
}
