import type { CarrierReportRow, SampledRate } from '../../domain/analytics/carrier-report.js'
import {
  type DashboardFigures,
  MIN_RANKED_SAMPLE,
  type TransitBars,
} from '../../domain/analytics/dashboard-figures.js'
import type { PageLanguage } from '../tracking-page/page-language.js'
import { BarChart } from './charts/bar-chart.js'
import { DataTable } from './charts/chart-figure.js'
import { ColumnChart } from './charts/column-chart.js'
import { Legend, LineChart } from './charts/line-chart.js'
import { type DashboardWording, formatNumber, formatPercent, shortWeek } from './dashboard-wording.js'

/** What every section needs to write itself. */
export interface SectionWriting {
  lang: PageLanguage
  words: DashboardWording
  carrierName(id: string): string
}

function writeRate(rate: SampledRate, writing: SectionWriting): string {
  const { words, lang } = writing
  return rate.rate === undefined ? words.noRate : words.rateOn(formatPercent(rate.rate, lang), rate.sample)
}

const writeDays = (days: number | undefined, lang: PageLanguage, noValue: string) =>
  days === undefined ? noValue : formatNumber(days, lang, 1)

/** The API report's rows by carrier, and its totals: the figures the charts below draw from. */
export function Scorecard(props: { figures: DashboardFigures; writing: SectionWriting }) {
  const { writing } = props
  const { words, lang } = writing
  const { scorecard } = words
  const cells = (row: CarrierReportRow) => [
    formatNumber(row.parcels, lang),
    formatNumber(row.delivered, lang),
    writeRate(row.onTime, writing),
    writeDays(row.transitDays.p50, lang, words.noRate),
    writeDays(row.transitDays.p80, lang, words.noRate),
    writeRate(row.firstAttempt, writing),
    row.returnRate === undefined ? words.noRate : formatPercent(row.returnRate, lang),
  ]
  return (
    <section>
      <h2 id="scorecard-heading">{scorecard.heading}</h2>
      <section class="table-scroll" tabindex={0} aria-labelledby="scorecard-heading">
        <DataTable
          id="scorecard"
          head={[
            scorecard.carrier,
            scorecard.parcels,
            scorecard.delivered,
            scorecard.onTime,
            scorecard.transitP50,
            scorecard.transitP80,
            scorecard.firstAttempt,
            scorecard.returns,
          ]}
          rows={[
            ...props.figures.carriers.map((row) => ({
              label: writing.carrierName(row.group),
              cells: cells(row),
            })),
            { label: scorecard.totals, cells: cells(props.figures.totals) },
          ]}
        />
      </section>
    </section>
  )
}

export function OnTimeSection(props: { figures: DashboardFigures; writing: SectionWriting }) {
  const { figures, writing } = props
  const { words, lang } = writing
  const names = figures.onTimeByWeek.map((entry) => writing.carrierName(entry.carrier))
  return (
    <section aria-labelledby="on-time-heading">
      <h2 id="on-time-heading">{words.onTime.heading}</h2>
      {figures.onTimeByWeek.length === 0 ? (
        <p class="muted">{words.onTime.none}</p>
      ) : (
        <>
          <Legend names={names} />
          <LineChart
            id="on-time"
            title={words.onTime.heading}
            desc={words.onTime.desc(names.length, figures.weeks.length)}
            labels={figures.weeks}
            axisLabels={figures.weeks.map((week) => shortWeek(week, lang))}
            series={figures.onTimeByWeek.map((entry, index) => ({
              name: names[index] ?? entry.carrier,
              values: entry.weeks.map((week) => week.onTime.rate),
            }))}
            formatValue={(value) => formatPercent(value, lang)}
            tableLabel={words.dataTable}
            table={
              <DataTable
                id="on-time"
                caption={words.onTime.heading}
                head={[words.onTime.week, ...names]}
                rows={figures.weeks.map((week, at) => ({
                  label: week,
                  cells: figures.onTimeByWeek.map((entry) =>
                    writeRate(entry.weeks[at]?.onTime ?? { rate: undefined, sample: 0 }, writing),
                  ),
                }))}
              />
            }
          />
        </>
      )}
    </section>
  )
}

function TransitChart(props: { entry: TransitBars; index: number; writing: SectionWriting }) {
  const { entry, writing } = props
  const { words, lang } = writing
  const name = writing.carrierName(entry.carrier)
  const labelOf = (bar: TransitBars['bars'][number]) => words.transit.days(bar.days, bar.orMore)
  const most = entry.bars.reduce((best, bar) => (bar.parcels > best.parcels ? bar : best))
  const shareOf = (parcels: number) => parcels / entry.delivered
  const id = `transit-${props.index}`
  return (
    <ColumnChart
      id={id}
      title={words.transit.chartTitle(name, entry.delivered)}
      desc={words.transit.desc(name, labelOf(most), formatPercent(shareOf(most.parcels), lang))}
      columns={entry.bars.map((bar) => ({
        label: labelOf(bar),
        tick: bar.orMore ? `${bar.days}+` : String(bar.days),
        share: shareOf(bar.parcels),
      }))}
      axisTitle={words.transit.axis}
      formatShare={(share) => formatPercent(share, lang)}
      tableLabel={words.dataTable}
      table={
        <DataTable
          id={id}
          caption={words.transit.chartTitle(name, entry.delivered)}
          head={[words.transit.axis, words.scorecard.delivered, '%']}
          rows={entry.bars.map((bar) => ({
            label: labelOf(bar),
            cells: [formatNumber(bar.parcels, lang), formatPercent(shareOf(bar.parcels), lang)],
          }))}
        />
      }
    />
  )
}

export function TransitSection(props: { figures: DashboardFigures; writing: SectionWriting }) {
  const { figures, writing } = props
  const { words } = writing
  return (
    <section aria-labelledby="transit-heading">
      <h2 id="transit-heading">{words.transit.heading}</h2>
      <p>{words.transit.intro}</p>
      {figures.transit.length === 0 ? (
        <p class="muted">{words.transit.none}</p>
      ) : (
        <div class="small-multiples">
          {figures.transit.map((entry, index) => (
            <TransitChart entry={entry} index={index} writing={writing} />
          ))}
        </div>
      )}
    </section>
  )
}

export function DestinationsSection(props: { figures: DashboardFigures; writing: SectionWriting }) {
  const { figures, writing } = props
  const { words } = writing
  const { destinations } = words
  const rows = figures.worstDestinations
  return (
    <section aria-labelledby="destinations-heading">
      <h2 id="destinations-heading">{destinations.heading}</h2>
      <p>{destinations.intro(MIN_RANKED_SAMPLE)}</p>
      {rows.length === 0 ? (
        <p class="muted">{destinations.none(MIN_RANKED_SAMPLE)}</p>
      ) : (
        <BarChart
          id="destinations"
          title={destinations.heading}
          desc={destinations.desc(rows.length)}
          bars={rows.map((row) => ({
            label: row.group,
            value: row.onTime.rate ?? 0,
            valueText: writeRate(row.onTime, writing),
          }))}
          max={1}
          labelWidth={72}
          valueWidth={170}
          tableLabel={words.dataTable}
          tableHead={[destinations.destination, words.scorecard.onTime]}
        />
      )}
      {figures.unrankedDestinations > 0 ? (
        <p class="muted">{destinations.unranked(figures.unrankedDestinations, MIN_RANKED_SAMPLE)}</p>
      ) : null}
    </section>
  )
}
