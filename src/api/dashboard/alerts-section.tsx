import { ALERT_TYPES, type AlertType } from '../../domain/alert.js'
import type { SectionWriting } from './analytics-sections.js'
import { BarChart } from './charts/bar-chart.js'
import { formatNumber } from './dashboard-wording.js'

/** The merchant's open alerts now, by type (whatever the period shown above). */
export function AlertsSection(props: { counts: Record<AlertType, number>; writing: SectionWriting }) {
  const { counts, writing } = props
  const { words, lang } = writing
  const { alerts } = words
  const total = ALERT_TYPES.reduce((sum, type) => sum + counts[type], 0)
  const rows = ALERT_TYPES.map((type) => ({ label: alerts.types[type], count: counts[type] }))
  return (
    <section aria-labelledby="alerts-heading">
      <h2 id="alerts-heading">{alerts.heading}</h2>
      {total === 0 ? (
        <p class="muted">{alerts.none}</p>
      ) : (
        <BarChart
          id="alerts"
          title={alerts.heading}
          desc={alerts.desc(total)}
          bars={rows.map((row) => ({
            label: row.label,
            value: row.count,
            valueText: formatNumber(row.count, lang),
          }))}
          max={Math.max(...rows.map((row) => row.count))}
          labelWidth={200}
          valueWidth={50}
          tableLabel={words.dataTable}
          tableHead={[alerts.type, alerts.open]}
        />
      )}
    </section>
  )
}
