import { pageStyleSheet } from '../tracking-page/page-style.js'

/**
 * The tracking page's style sheet (system fonts, AA colours, the accent), widened for charts, with
 * the forms, tables and charts of the dashboard. Nothing is loaded from anywhere.
 */
const DASHBOARD_STYLE = `main{max-width:64rem}
button{font:inherit;font-weight:600;padding:.5rem 1rem;border:2px solid var(--accent);border-radius:.25rem;background:var(--accent);color:#fff;cursor:pointer}
button.secondary{background:#fff;color:var(--accent)}
button:focus-visible,input:focus-visible,summary:focus-visible,.table-scroll:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
label{display:block;font-weight:600;margin-top:1rem}
.hint{display:block;color:#4b5563;font-size:.9375rem}
input{display:block;width:100%;max-width:32rem;font:inherit;padding:.5rem;margin:.25rem 0 1rem;border:1px solid #6b7280;border-radius:.25rem}
.session{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;justify-content:space-between;margin:0 0 1rem}
.session p,.session form{margin:0}
.weeks ul,.legend{display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;list-style:none;margin:0 0 .5rem;padding:0}
.weeks a{display:inline-block;padding:.25rem 0}
.weeks a[aria-current]{color:#1f2937;font-weight:600;text-decoration:none}
.legend li{display:flex;align-items:center;gap:.5rem}
figure{margin:.75rem 0 1.5rem}
.chart svg{display:block;width:100%;max-width:40rem;height:auto}
.chart text{fill:#1f2937;font-size:14px}
.chart.bars svg{max-width:32rem}
.chart.bars text{font-size:16px}
.grid line{stroke:#d1d5db}
.baseline{stroke:#6b7280}
.small-multiples{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:0 2rem}
.small-multiples .chart svg{max-width:24rem}
.table-scroll{overflow-x:auto;max-width:100%;margin:0}
table{border-collapse:collapse;margin:.25rem 0 .5rem;font-size:.9375rem;overflow-wrap:normal}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{padding:.25rem 1rem .25rem 0;text-align:left;border-bottom:1px solid #e5e7eb;vertical-align:top}
td{font-variant-numeric:tabular-nums;white-space:nowrap}
summary{cursor:pointer;color:var(--accent);padding:.25rem 0;width:max-content;max-width:100%}`

export function dashboardStyleSheet(accent: string): string {
  return `${pageStyleSheet(accent)}\n${DASHBOARD_STYLE}`
}
