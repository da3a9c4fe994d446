/**
 * The page's only style sheet, inline: system fonts, no request. Colours other than the accent are AA
 * on white; the accent itself is checked when the merchant sets it. On a narrow screen everything stacks.
 */
const STYLE_SHEET = `*,::before,::after{box-sizing:border-box}
html{color:#1f2937;background:#fff;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-text-size-adjust:100%}
body{margin:0;overflow-wrap:anywhere}
a{color:var(--accent)}
a:focus-visible{outline:3px solid var(--accent);outline-offset:2px;border-radius:2px}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;border-bottom:4px solid var(--accent)}
.brand{display:flex;align-items:center;gap:.75rem;margin:0;font-weight:600;font-size:1.125rem;min-width:0}
.brand img{max-height:3rem;max-width:8rem;width:auto;height:auto}
header ul{display:flex;gap:1rem;list-style:none;margin:0;padding:0}
header a{display:inline-block;padding:.25rem 0}
header a[aria-current]{color:#1f2937;font-weight:600;text-decoration:none}
main,footer{max-width:42rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.125rem;margin:0 0 .75rem}
p{margin:0 0 .5rem}
.lead{font-size:1.125rem}
.notice{margin:1rem 0;padding:.5rem .75rem;border-left:4px solid #b45309;background:#fffbeb}
.notice.problem{border-color:#b91c1c;background:#fef2f2}
section{margin:2rem 0 0}
.steps{display:grid;grid-template-columns:repeat(4,1fr);gap:.5rem;list-style:none;margin:0;padding:0}
.steps li{position:relative;padding-top:1.75rem;color:#4b5563}
.steps li::before{content:"";position:absolute;top:0;left:0;width:1.25rem;height:1.25rem;border:2px solid #6b7280;border-radius:50%;background:#fff}
.steps .done::before{border-color:var(--accent);background:var(--accent)}
.steps .current::before{border:.375rem solid var(--accent)}
.steps [aria-current]{color:#1f2937;font-weight:600}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 .5rem}
dt{color:#4b5563}
dd{margin:0}
.timeline{list-style:none;margin:0;padding:0}
.timeline li{display:grid;grid-template-columns:12rem 1fr;gap:0 1rem;padding:.5rem 0;border-top:1px solid #e5e7eb}
.timeline p{margin:0}
.muted,.timeline time{color:#4b5563}
footer{border-top:1px solid #e5e7eb}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
@media (max-width:36rem){.steps,.timeline li,dl{grid-template-columns:1fr}.steps li{padding:0 0 0 2rem}dd{margin-bottom:.5rem}}`

export function pageStyleSheet(accent: string): string {
  return `:root{--accent:${accent}}\n${STYLE_SHEET}`
}
