import { scaleBand, scaleLinear } from 'd3-scale'
import { type ChartBox, ChartFigure, type ChartText, GridLine } from './chart-figure.js'
import { BAR_COLOUR } from './series-style.js'

const BOX: ChartBox = { width: 320, height: 210, margin: { top: 12, right: 8, bottom: 46, left: 48 } }

/** A distribution: one column per bucket, its height the bucket's share of the whole. */
export function ColumnChart(
  props: ChartText & {
    /** `label` names the column in the chart's title and table, `tick` under it on the axis. */
    columns: ReadonlyArray<{ label: string; tick: string; share: number }>
    axisTitle: string
    formatShare: (share: number) => string
  },
) {
  const { margin, width, height } = BOX
  const x = scaleBand<string>()
    .domain(props.columns.map((column) => column.label))
    .range([margin.left, width - margin.right])
    .padding(0.15)
  const top = Math.max(0.1, ...props.columns.map((column) => column.share))
  const y = scaleLinear()
    .domain([0, top])
    .nice(4)
    .range([height - margin.bottom, margin.top])
  const bottom = y(0)
  return (
    <ChartFigure {...props} box={BOX}>
      {y.ticks(4).map((tick) => (
        <GridLine y={y(tick)} x1={margin.left} x2={width - margin.right} label={props.formatShare(tick)} />
      ))}
      {props.columns.map((column) => (
        <rect
          x={x(column.label) ?? 0}
          y={y(column.share)}
          width={x.bandwidth()}
          height={bottom - y(column.share)}
          fill={BAR_COLOUR}
        />
      ))}
      <g class="axis">
        {props.columns.map((column) => (
          <text x={(x(column.label) ?? 0) + x.bandwidth() / 2} y={bottom + 16} text-anchor="middle">
            {column.tick}
          </text>
        ))}
        <text x={(margin.left + width - margin.right) / 2} y={height - 6} text-anchor="middle">
          {props.axisTitle}
        </text>
      </g>
    </ChartFigure>
  )
}
