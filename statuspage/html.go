package statuspage

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Glyph is a status's sign, the same as the dashboard's, so that a
// status reads without colour too.
func Glyph(s monitor.Status) string {
	if int(s) < len(glyphs) {
		return glyphs[s]
	}
	return "?"
}

var glyphs = [...]string{"○", "●", "▲", "✕", "◆", "‖"}

// pageCSS is the page's only style sheet: inline, no web font, light and
// dark by prefers-color-scheme, one column that fits a phone (where the
// bar keeps its last 30 days).
const pageCSS = `:root{color-scheme:light dark;--bg:#f6f8fa;--card:#fff;--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--up:#1a7f37;--degraded:#9a6700;--down:#cf222e;--maintenance:#0969da;--off:#6e7781;--bu:#2da44e;--bm:#d4a72c;--bp:#e16f24;--bd:#cf222e;--bn:#d1d9e0}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--card:#151b23;--fg:#e6edf3;--mute:#9198a1;--line:#3d444d;--up:#3fb950;--degraded:#d29922;--down:#f85149;--maintenance:#4493f8;--off:#9198a1;--bu:#2ea043;--bm:#bb8009;--bp:#db6d28;--bd:#da3633;--bn:#2f353d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:860px;margin:0 auto;padding:32px 16px 40px}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 4px;overflow-wrap:anywhere}
.desc{color:var(--mute);margin:0 0 20px}
.banner{--c:var(--up);display:flex;align-items:center;gap:10px 14px;flex-wrap:wrap;background:var(--card);border:1px solid var(--line);border-left:6px solid var(--c);border-radius:8px;padding:16px 20px;margin:20px 0 28px}
.banner .g{color:var(--c);font-size:1.4rem;line-height:1}
.banner strong{font-size:1.15rem}
.banner .upd{margin-left:auto;color:var(--mute);font-size:.85rem}
.banner.s-down{--c:var(--down)}.banner.s-degraded{--c:var(--degraded)}.banner.s-maintenance{--c:var(--maintenance)}.banner.s-pending,.banner.s-paused{--c:var(--off)}
#live{display:none}.on #live{display:inline}.on #static{display:none}
section{margin:0 0 28px}
h2{font-size:1.05rem;margin:0 0 8px}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px}
.mon{padding:14px 18px 12px;border-top:1px solid var(--line)}
.mon:first-child{border-top:0}
.head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;margin-bottom:8px}
.name{font-size:1rem;font-weight:600;margin:0;overflow-wrap:anywhere}
.st{font-weight:600;white-space:nowrap}
.s-up{color:var(--up)}.s-degraded{color:var(--degraded)}.s-down{color:var(--down)}.s-maintenance{color:var(--maintenance)}.s-paused,.s-pending{color:var(--off)}
.bar{position:relative;display:flex;gap:2px;height:32px}
.bar i{flex:1;min-width:2px;border-radius:2px;background:var(--bn)}
.bar .u{background:var(--bu)}.bar .m{background:var(--bm)}.bar .p{background:var(--bp)}.bar .d{background:var(--bd)}
.bar i:hover,.bar i:focus{opacity:.65}
.bar i:focus{outline:none}.bar i:focus-visible{outline:2px solid var(--fg);outline-offset:1px}
.bar i:hover::after,.bar i:focus::after{content:attr(aria-label);position:absolute;left:0;right:0;bottom:calc(100% + 6px);width:max-content;max-width:100%;margin:0 auto;padding:3px 8px;border-radius:4px;background:var(--fg);color:var(--bg);font-size:.8rem;white-space:nowrap;pointer-events:none;z-index:1}
.foot{display:flex;justify-content:space-between;gap:8px;color:var(--mute);font-size:.8rem;margin-top:6px}
.detail{color:var(--mute);font-size:.85rem;margin:6px 0 0;overflow-wrap:anywhere}
.d30{display:none}
.list{list-style:none;margin:0;padding:0}
.list li{padding:12px 18px;border-top:1px solid var(--line)}
.list li:first-child{border-top:0}
.when{color:var(--mute);font-size:.9rem}
.notes{margin:6px 0 0;padding-left:18px;font-size:.9rem}
footer{color:var(--mute);font-size:.85rem;text-align:center}
a{color:var(--maintenance)}
@media (max-width:600px){main{padding:20px 12px 32px}.bar i:nth-child(-n+60){display:none}.d90{display:none}.d30{display:inline}.banner .upd{margin-left:0;width:100%}.mon{padding:12px 14px 10px}}
`

// pageJS is the page's only script, for a page the daemon serves: it
// shows times in the reader's zone, lets arrow keys walk a bar's days,
// and applies the updates of the page's event stream. Without it the
// page is complete as served.
const pageJS = `(function(){
"use strict";
var G={up:"\u25cf",degraded:"\u25b2",down:"\u2715",maintenance:"\u25c6",paused:"\u2016",pending:"\u25cb"};
function local(root){root.querySelectorAll("time[datetime]").forEach(function(t){var d=new Date(t.getAttribute("datetime"));if(!isNaN(d)){t.textContent=d.toLocaleString([],t.hasAttribute("data-date")?{day:"numeric",month:"short",year:"numeric"}:{day:"numeric",month:"short",hour:"2-digit",minute:"2-digit"});}});}
local(document);
document.addEventListener("keydown",function(e){var t=e.target,b=t.parentNode;if(!b||!b.classList||!b.classList.contains("bar"))return;
var n=e.key==="ArrowLeft"?t.previousElementSibling:e.key==="ArrowRight"?t.nextElementSibling:e.key==="Home"?b.firstElementChild:e.key==="End"?b.lastElementChild:null;
while(n&&n.offsetParent===null){n=e.key==="ArrowLeft"||e.key==="End"?n.previousElementSibling:n.nextElementSibling;}
if(!n)return;e.preventDefault();if(!n.hasAttribute("tabindex"))n.setAttribute("tabindex","-1");n.focus();});
var url=document.body.getAttribute("data-events");if(!url||!window.EventSource)return;
var es=new EventSource(url),live=document.getElementById("live");
es.onopen=function(){document.body.classList.add("on");live.textContent="Live";};
es.onerror=function(){live.textContent="Reconnecting\u2026";};
es.addEventListener("state",function(ev){var d=JSON.parse(ev.data);
(d.monitors||[]).forEach(function(m){document.querySelectorAll('[data-key="'+CSS.escape(m.key)+'"]').forEach(function(r){
var s=r.querySelector(".st");s.className="st s-"+m.status;s.textContent=(G[m.status]||"?")+" "+m.status;
var l=r.querySelector("[data-lat]");if(l)l.textContent=m.latency;});});
if(d.overall){var b=document.getElementById("banner");b.className="banner s-"+d.overall.status;b.querySelector(".g").textContent=G[d.overall.status]||"?";b.querySelector("strong").textContent=d.overall.text;}
if(typeof d.notices==="string"){var n=document.getElementById("notices");n.innerHTML=d.notices;local(n);}
live.textContent="Live";});
})();`

// The hashes of the style sheet and the script, for the pages'
// Content-Security-Policy: nothing else may run or style the page, and it
// may load nothing from anywhere.
var (
	cssHash = hashOf(pageCSS)
	jsHash  = hashOf(pageJS)
	// CSP is the policy of every page.
	CSP = "default-src 'none'; style-src '" + cssHash + "'; script-src '" + jsHash +
		"'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(h[:])
}

var funcs = template.FuncMap{
	"glyph": Glyph,
	"pct": func(u monitor.Uptime) string {
		if !u.Valid {
			return "–"
		}
		return Percent(u.Ratio)
	},
	"lat": Latency,
	"dur": Duration,
	"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"hm":  func(t time.Time) string { return t.UTC().Format("2 Jan 15:04") + " UTC" },
	"since": func(now, t time.Time) string {
		if t.IsZero() || t.After(now) {
			return ""
		}
		return Duration(now.Sub(t))
	},
	"join": func(s []string) string { return strings.Join(s, ", ") },
}

// pageTmpl is parsed on first use, not at start-up: most runs of the
// binary (status, check, the dashboard) never serve a page.
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Funcs(funcs).Parse(pageSource))
})

const pageSource = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<title>{{.Title}}</title>
<link rel="alternate" type="application/json" href="{{.Base}}.json">
<style>{{.CSS}}</style>
</head>
<body{{if .Live}} data-events="{{.Path}}/events"{{end}}>
<main>
<h1>{{.Title}}</h1>
{{with .Description}}<p class="desc">{{.}}</p>{{end}}
<div id="banner" class="banner s-{{.Overall.Status}}" role="status"><span class="g" aria-hidden="true">{{glyph .Overall.Status}}</span><strong>{{.Overall.Text}}</strong><span class="upd"><span id="static">Updated <time datetime="{{iso .Generated}}">{{hm .Generated}}</time></span><span id="live"></span></span></div>
<div id="notices">{{template "notices" .}}</div>
{{range .Sections}}<section>
{{with .Name}}<h2>{{.}}</h2>{{end}}
<div class="card">
{{range .Rows}}<article class="mon" id="m-{{.Key}}" data-key="{{.Key}}">
<div class="head"><h3 class="name">{{.Name}}</h3><span class="st s-{{.Status}}">{{glyph .Status}} {{.Status}}</span></div>
{{.Days.HTML}}
<div class="foot"><span><span class="d90">90 days ago</span><span class="d30">30 days ago</span></span><span>{{pct .Days.Uptime}} uptime · <span data-lat>{{lat .Latency}}</span></span><span>Today</span></div>
{{if or .URL .Detail}}<p class="detail">{{.URL}}{{if and .URL .Detail}} · {{end}}{{.Detail}}</p>{{end}}
</article>
{{end}}</div>
</section>
{{end}}<footer><a href="{{.Base}}.json">JSON</a> · <a href="{{.Base}}.txt">Plain text</a> · upbeat</footer>
</main>
{{if .Live}}<script>{{.JS}}</script>{{end}}
</body>
</html>
{{define "notices"}}{{if .Incidents}}<section aria-labelledby="h-inc">
<h2 id="h-inc">Open incidents</h2>
<ul class="list card">{{range .Incidents}}<li><span class="st s-{{.Status}}">{{glyph .Status}} {{.Monitor}}</span> is {{.Status}} <span class="when">since <time datetime="{{iso .Start}}">{{hm .Start}}</time>{{with since $.Generated .Start}} ({{.}}){{end}}</span>{{if .Notes}}
<ul class="notes">{{range .Notes}}<li><time datetime="{{iso .Time}}">{{hm .Time}}</time>{{with .Author}} · {{.}}{{end}}: {{.Text}}</li>{{end}}</ul>{{end}}</li>{{end}}</ul>
</section>
{{end}}{{if .Maintenance}}<section aria-labelledby="h-mnt">
<h2 id="h-mnt">Maintenance</h2>
<ul class="list card">{{range .Maintenance}}<li><span class="st s-maintenance">{{glyph 4}} {{.Name}}</span> <span class="when">{{if .Active}}now, until <time datetime="{{iso .End}}">{{hm .End}}</time>{{else}}<time datetime="{{iso .Start}}">{{hm .Start}}</time> to <time datetime="{{iso .End}}">{{hm .End}}</time>{{end}}</span><br><span class="when">{{join .Monitors}}</span></li>{{end}}</ul>
</section>
{{end}}{{end}}`

// view is what the page template reads: the page and its assets.
type view struct {
	*Page
	CSS template.CSS
	JS  template.JS
}

// Base is the last segment of the page's path: its links to its JSON and
// text are relative to it, so that they work on the daemon and in an
// export served from any directory alike.
func (p *Page) Base() string { return p.Path[strings.LastIndexByte(p.Path, '/')+1:] }

// HTML returns the bar as HTML.
func (d *Days) HTML() template.HTML { return d.bar }

// WriteHTML renders the page as HTML.
func (p *Page) WriteHTML(w io.Writer) error {
	return pageTmpl().Execute(w, view{Page: p, CSS: template.CSS(pageCSS), JS: template.JS(pageJS)})
}

// writeNotices renders the incidents and maintenance of the page, the
// part a live update replaces whole.
func (p *Page) writeNotices(w io.Writer) error {
	return pageTmpl().ExecuteTemplate(w, "notices", p)
}
