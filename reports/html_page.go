package reports

import (
	"html/template"
	"time"
)

// gradeCSS colours a grade's class (gradeClass) wherever a page shows
// one.
const gradeCSS = `.pass{background:#d9f2d9}.nonstrict{background:#fff0c0}.fail{background:#f8d0d0}.unsup{background:#e4e4f4}.error{background:#f0d0f0}.skip{background:#eee}.info{background:#dde8f4}`

var page = template.Must(template.New("page").Funcs(template.FuncMap{
	"secs": func(d time.Duration) string { return d.Round(time.Millisecond).String() },
}).Parse(pageHTML))

const pageHTML = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>OMP conformance: {{.Rep.Target}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
td.n{text-align:right}
.badge{display:inline-block;min-width:7em;padding:0 4px;border-radius:3px;font-weight:bold;text-align:center}.badge.zero{opacity:.45;font-weight:normal}
button.badge{border:1px solid #bbb;font:inherit;font-weight:bold;cursor:pointer}
` + gradeCSS + `
details.case{border:1px solid #ddd;margin:3px 0;padding:2px 6px}details.case>summary{cursor:pointer}
.sec{color:#666;font-size:12px}
dl{display:grid;grid-template-columns:9em 1fr;gap:2px 8px}dt{font-weight:bold}dd{margin:0}
.hex{font:12px/1.5 monospace;max-width:49ch;word-wrap:break-word}
.f0{background:#e8f0ff}.f1{background:#fff4e0}.red{background:#333;color:#fff}.unk{background:#fdd;text-decoration:underline wavy red}
table.transcript{width:100%}td>details{display:inline-block;margin-left:.8em}td>details[open]{display:block;margin-left:0}table.transcript td:last-child{overflow-wrap:anywhere}.msg{display:flex;flex-wrap:wrap;gap:4px 1.5em;align-items:flex-start}
.mono{font-family:monospace;font-size:12px}tr.gap td{background:#fff0c0;font-style:italic}tr.live td{color:#555}pre{white-space:pre-wrap;margin:0}
#alert-matrix th.col{font:11px/1.2 monospace;vertical-align:bottom;writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;padding:4px 2px}#alert-matrix th.row{font:11px monospace;white-space:nowrap}
#alert-matrix td{min-width:1.6em;text-align:center}
.legend{columns:36em;font-size:12px;margin:.5em 0}.legend div{break-inside:avoid;overflow-wrap:anywhere;padding-left:2em;text-indent:-2em}
#filter{position:sticky;top:0;background:#fff;padding:4px 0;border-bottom:1px solid #ddd;z-index:1}#filter input{width:20em}
.hidden{display:none}
</style></head><body>
<h1>OMP conformance: {{.Rep.Target}}</h1>
<p>draft-sthoria-omp-00 · DUT role <b>{{.Rep.Role}}</b> · started {{.Rep.Start.Format "2006-01-02 15:04:05 MST"}} · {{len .Rep.Results}} cases in {{secs .Rep.Duration}} · report generated {{.Generated}}{{if not .KeysShown}} · keys redacted{{end}}</p>
{{if .Rep.DUT}}<p>DUT: <span class="mono">{{.Rep.DUT}}</span></p>{{end}}
<p>{{range .Counts}}<span class="badge {{.Class}}{{if not .N}} zero{{end}}">{{.Grade}} {{.N}}</span> {{end}}</p>
{{if .Gating}}<p><b>Gate: failed</b> by {{range .Gating}}<a href="#{{.ID}}">{{.ID}}</a> {{end}}</p>{{else}}<p><b>Gate: passed.</b></p>{{end}}
{{range .Rep.Notes}}<p class="nonstrict">{{.}}</p>{{end}}
<h2>By section</h2>
<table><tr><th>section</th>{{range .Columns}}<th>{{.}}</th>{{end}}<th>total</th></tr>
{{range .Sections}}<tr><td><a href="#cases" data-section="{{.Key}}">{{.Label}}</a></td>{{range .Counts}}<td class="n">{{if .}}{{.}}{{end}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<h2>By message type</h2>
<table><tr><th>message type</th>{{range .Columns}}<th>{{.}}</th>{{end}}<th>total</th></tr>
{{range .Types}}<tr><td>{{.Label}}</td>{{range .Counts}}<td class="n">{{if .}}{{.}}{{end}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</table>
<h2>ALERT expected (rows) against received (columns)</h2>
<p>Each cell counts the cases that expect the row's ALERT (the first one a case accepts) and got the column's; hover for their IDs. <span class="badge pass">as expected</span> <span class="badge nonstrict">right code, other subcode; or a close without the ALERT</span> <span class="badge fail">another ALERT, or none</span></p>
<table id="alert-matrix"><tr><th>expected \ received</th>{{range .Matrix.Cols}}<th class="col" title="{{.Full}}">{{.}}</th>{{end}}</tr>
{{range .Matrix.Rows}}<tr><th class="row" title="{{.Expected.Full}}">{{.Expected}}</th>{{range .Cells}}<td class="n {{.Class}}"{{if .IDs}} title="{{.IDs}}"{{end}}>{{if .N}}{{.N}}{{end}}</td>{{end}}</tr>
{{end}}</table>
{{if .Matrix.Legend}}<p>Names are the ALERT code and subcode without their prefixes: CODE/SUB is OMP_ERR_CODE with OMP_SUB_ERR_CODE_SUB.</p>
<div class="legend">{{range .Matrix.Legend}}<div><span class="mono">{{.Short}}</span>: {{.Full}}</div>{{end}}</div>{{end}}
<h2 id="cases">Cases</h2>
<div id="filter">grade <select id="f-grade"><option value="">all</option>{{range .Grades}}<option value="{{.Class}}">{{.Grade}} ({{.N}})</option>{{end}}</select>
section <select id="f-section"><option value="">all</option>{{range .Sections}}<option value="{{.Key}}">{{.Label}} ({{.Total}})</option>{{end}}</select>
<input id="f-text" type="search" placeholder="ID, title, requirement, verdict">
<span id="f-count"></span> <button id="f-open" type="button">open shown</button> <button id="f-close" type="button">close all</button></div>
{{if .Failing}}<p>{{.Failing}} failing {{if eq .Failing 1}}case{{else}}cases{{end}} first, open; then the rest, closed.</p>{{end}}
<noscript><p>Without script, only the failing cases show their transcripts; the others are in report.json.</p></noscript>
{{range .Cases}}<details class="case" id="{{.R.ID}}" data-grade="{{.Grade}}" data-section="{{.R.Section}}"{{if .Open}} open{{end}}{{if .Lazy}} data-lazy{{end}}><summary><span class="badge {{.Grade}}">{{.R.Grade}}</span> <b>{{.R.ID}}</b> {{.R.Title}} <span class="sec">[{{.R.Section}}, {{.R.Level}}, {{.R.Basis}}]</span></summary>
<dl>
<dt>requirement</dt><dd>{{.R.Requirement}}</dd>
{{if .R.Source}}<dt>source</dt><dd>{{.R.Source}}</dd>{{end}}
{{if .R.Reading}}<dt>reading</dt><dd>{{.R.Reading}}</dd>{{end}}
<dt>sent</dt><dd>{{.R.Sent}}</dd>
<dt>expected</dt><dd>{{.R.Expected}}</dd>
<dt>received</dt><dd>{{.R.Received}}</dd>
{{if .R.Reason}}<dt>reason</dt><dd>{{.R.Reason}}</dd>{{end}}
{{range .R.Measured}}<dt>measured</dt><dd>{{.}}</dd>{{end}}
{{if .R.Liveness}}<dt>after the case</dt><dd>{{.R.Liveness}}</dd>{{end}}
{{if .R.Baseline}}<dt>baseline</dt><dd>{{.R.Baseline}}{{if .R.BaselinePassed}} — <b>the case passed: remove the entry</b>{{end}}</dd>{{end}}
<dt>duration</dt><dd>{{secs .R.Duration}}</dd>
{{if .Dropped}}<dt>transcript</dt><dd class="nonstrict">{{.Dropped}}</dd>{{end}}
{{if .OtherRuns}}<dt>other case runs</dt><dd>{{.OtherRuns}}</dd>{{end}}
</dl>
{{if .Entries}}<table class="transcript"><tr><th>at</th><th>dir</th><th>peer</th><th>what</th></tr>
{{range .Entries}}<tr{{if .Dropped}} class="gap"{{else if .Live}} class="live"{{end}}><td class="mono">{{.At}}</td><td>{{.Dir}}</td><td>{{.Peer}}</td><td>{{.Summary}}{{if and .Note (ne .Dir "event")}} <i>[{{.Note}}]</i>{{end}}{{if .Err}} <span class="fail">{{.Err}}</span>{{end}}
{{if .Raw}}<details data-m="{{.M}}"><summary>{{len .Raw}} bytes{{if .Cut}} (and {{.Cut}} more, not kept){{end}}</summary><div class="hex plain">{{.Plain}}</div>{{if and .Decode (not .Err)}}<p class="fail">{{.Decode}}</p>{{end}}</details>{{end}}</td></tr>
{{end}}</table>{{end}}{{if .Lazy}}<div class="lazy"></div>{{end}}
</details>
{{end}}
<script type="application/json" id="transcripts">{{.Lazy}}</script>
<script>
(function(){
"use strict";
var data=null,S,M,live={{.Live}};
function load(){if(!data){data=JSON.parse(document.getElementById("transcripts").textContent);S=data.s;M=data.m;}}
function esc(s){return String(s).replace(/[&<>"]/g,function(c){return {"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;"}[c];});}
function at(ms){return ms<1?"+"+Math.round(ms*1000)+"µs":ms<1000?"+"+ms+"ms":"+"+(ms/1000).toFixed(3)+"s";}
var dirs=["sent","received","event","event"];
function hexHTML(m){
  var hx=m[0],n=hx.length/2,lv=m[2],rd=m[3],i,out="",pos=0,k=0,fs=[];
  function red(b){for(var j=0;j<rd.length;j+=2){if(b>=rd[j]&&b<rd[j+1])return true;}return false;}
  function bytes(a,b){var s="";for(var j=a;j<b&&j<n;j++){s+=red(j)?"·· ":hx.substr(2*j,2)+" ";}return s;}
  for(i=0;i<lv.length;i+=4)fs.push([lv[i],lv[i+1],lv[i+2],lv[i+3],i]);
  fs.sort(function(a,b){return a[0]-b[0]||a[4]-b[4];});
  for(i=0;i<fs.length;i++){var f=fs[i];if(f[0]<pos||f[1]<=0)continue;
    if(f[0]>pos)out+='<span class="unk" title="not read as a field">'+bytes(pos,f[0])+"</span>";
    var t=S[f[2]]+" @"+f[0]+"+"+f[1]+(S[f[3]]?" = "+S[f[3]]:""),c="f"+(k%2);
    if(red(f[0])){c="red";t+=" (key, redacted)";}
    out+='<span class="'+c+'" title="'+esc(t)+'">'+bytes(f[0],f[0]+f[1])+"</span>";pos=f[0]+f[1];k++;}
  if(pos<n)out+='<span class="unk" title="not read as a field">'+bytes(pos,n)+"</span>";
  return out;}
function fieldsHTML(m){var lv=m[2],s='<table class="mono"><tr><th>field</th><th>offset</th><th>length</th><th>value</th></tr>';
  for(var i=0;i<lv.length;i+=4)s+="<tr><td>"+esc(S[lv[i+2]])+'</td><td class="n">'+lv[i]+'</td><td class="n">'+lv[i+1]+"</td><td>"+esc(S[lv[i+3]])+"</td></tr>";
  return s+"</table>";}
function render(d){
  var box=d.querySelector("div.lazy");if(!box||box.dataset.done)return;load();box.dataset.done="1";
  var es=data.c[d.id]||[],s='<table class="transcript"><tr><th>at</th><th>dir</th><th>peer</th><th>what</th></tr>';
  for(var i=0;i<es.length;i++){var e=es[i],mi=e.length>3?e[3]:-1,m=mi>=0?M[mi]:null,note=S[e[4]||0],err=S[e[5]||0],cut=e[6]||0,peer=S[e[2]];
    var cls=e[1]===3?"gap":peer===live?"live":"";
    s+="<tr"+(cls?' class="'+cls+'"':"")+'><td class="mono">'+at(e[0])+"</td><td>"+dirs[e[1]]+"</td><td>"+esc(peer)+"</td><td>";
    s+=m?esc(S[m[1]]):esc(note);
    if(m&&note)s+=" <i>["+esc(note)+"]</i>";
    if(err)s+=' <span class="fail">'+esc(err)+"</span>";
    if(m)s+='<details data-m="'+mi+'"><summary>'+(m[0].length/2)+" bytes"+(cut?" (and "+cut+" more, not kept)":"")+"</summary></details>";
    s+="</td></tr>";}
  box.innerHTML=s+"</table>";}
function renderMsg(d){if(d.dataset.done)return;d.dataset.done="1";load();var m=M[+d.dataset.m],x,shown=d.parentNode.querySelector("span.fail");
  while((x=d.querySelector("summary~*")))x.remove();
  d.insertAdjacentHTML("beforeend",(m[4]&&!shown?'<p class="fail">'+esc(S[m[4]])+"</p>":"")+'<div class="msg"><div class="hex">'+hexHTML(m)+"</div>"+fieldsHTML(m)+"</div>");}
document.addEventListener("toggle",function(ev){var d=ev.target;if(!d.open)return;
  if(d.classList.contains("case")&&d.hasAttribute("data-lazy"))render(d);else if(d.dataset&&d.dataset.m!==undefined)renderMsg(d);},true);
var cases=[].slice.call(document.querySelectorAll("details.case")),texts=null;
var fg=document.getElementById("f-grade"),fs=document.getElementById("f-section"),ft=document.getElementById("f-text"),fc=document.getElementById("f-count");
function filter(){
  if(!texts)texts=cases.map(function(d){var c=d.cloneNode(true),l=c.querySelector("div.lazy");if(l)l.remove();var t=c.querySelector("table.transcript");if(t)t.remove();return c.textContent.toLowerCase();});
  var g=fg.value,sec=fs.value,q=ft.value.trim().toLowerCase(),n=0;
  cases.forEach(function(d,i){var ok=(!g||d.dataset.grade===g)&&(!sec||d.dataset.section===sec)&&(!q||texts[i].indexOf(q)>=0);d.classList.toggle("hidden",!ok);if(ok)n++;});
  fc.textContent=n+" of "+cases.length+" cases";}
fg.onchange=fs.onchange=filter;ft.oninput=filter;
document.getElementById("f-open").onclick=function(){cases.forEach(function(d){if(!d.classList.contains("hidden"))d.open=true;});};
document.getElementById("f-close").onclick=function(){cases.forEach(function(d){d.open=false;});};
[].forEach.call(document.querySelectorAll("a[data-section]"),function(a){a.onclick=function(){fs.value=a.dataset.section;fg.value="";filter();};});
function hash(){var id=decodeURIComponent(location.hash.slice(1)),d=id&&document.getElementById(id);
  if(d&&d.classList.contains("case")){d.classList.remove("hidden");d.open=true;d.scrollIntoView();}}
window.addEventListener("hashchange",hash);
fc.textContent=cases.length+" cases";hash();
})();
</script>
</body></html>
`
