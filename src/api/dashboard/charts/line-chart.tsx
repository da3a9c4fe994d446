import { scaleLinear, scalePoint } from 'd3-scale'
import { line } from 'd3-shape'
import { type ChartBox, ChartFigure, type ChartText, GridLine } from './chart-figure.js'
import { seriesStyle } from './series-style.js'

export interface LineSeries {
  name: string
  /** One value per label, in [0, 1]; undefined leaves a gap. */
  values: ReadonlyArray<number | undefined>
}

const BOX: ChartBox = { width: 480, height: 260, margin: { top: 12, right: 16, bottom: 40, left: 52 } }
/** Axis labels shown at most: beyond, every second (third…) label is written. */
const MAX_AXIS_LABELS = 12

interface Point {
  label: string
  value: number | undefined
}

/** Shares over time, one line per series, each with its own colour, dash and marker (see `Legend`). */
export function LineChart(
  props: ChartText & {
    labels: readonly string[]
    axisLabels: readonly string[]
    series: readonly LineSeries[]
    formatValue: (value: number) => string
  },
) {
  const { margin, width, height } = BOX
  const x = scalePoint<string>()
    .domain(props.labels)
    .range([margin.left, width - margin.right])
    .padding(0.3)
  const y = scaleLinear()
    .domain([0, 1])
    .range([height - margin.bottom, margin.top])
  const path = line<Point>()
    .defined((point) => point.value !== undefined)
    .x((point) => x(point.label) ?? 0)
    .y((point) => y(point.value ?? 0))
  const every = Math.ceil(props.labels.length / MAX_AXIS_LABELS)
  return (
    <ChartFigure {...props} box={BOX}>
      {y.ticks(5).map((tick) => (
        <GridLine y={y(tick)} x1={margin.left} x2={width - margin.right} label={props.formatValue(tick)} />
      ))}
      <g class="axis">
        {props.labels.map((label, index) =>
          index % every === 0 ? (
            <text x={x(label) ?? 0} y={height - margin.bottom + 18} text-anchor="middle">
              {props.axisLabels[index] ?? label}
            </text>
          ) : null,
        )}
      </g>
      {props.series.map((series, index) => {
        const style = seriesStyle(index)
        const points = props.labels.map((label, at) => ({ label, value: series.values[at] }))
        return (
          <g class="series">
            <path
              d={path(points) ?? ''}
              fill="none"
              stroke={style.colour}
              stroke-width={2.5}
              stroke-dasharray={style.dash || undefined}
            />
            {points.map((point) =>
              point.value === undefined ? null : (
                <path
                  d={style.marker}
                  fill={style.colour}
                  transform={`translate(${x(point.label) ?? 0},${y(point.value)})`}
                />
              ),
            )}
          </g>
        )
      })}
    </ChartFigure>
  )
}

/** The key of a line chart: each series' line and marker beside its name. */
export function Legend(props: { names: readonly string[] }) {
  return (
    <ul class="legend">
      {props.names.map((name, index) => {
        const style = seriesStyle(index)
        return (
          <li>
            <svg viewBox="0 0 40 12" width="40" height="12" aria-hidden="true" focusable="false">
              <line
                x1={2}
                x2={38}
                y1={6}
                y2={6}
                stroke={style.colour}
                stroke-width={2.5}
                stroke-dasharray={style.dash || undefined}
              />
              <path d={style.marker} fill={style.colour} transform="translate(20,6)" />
            </svg>
            {name}
          </li>
        )
      })}
    </ul>
  )
}
