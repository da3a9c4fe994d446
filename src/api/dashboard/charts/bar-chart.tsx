import { scaleBand, scaleLinear } from 'd3-scale'
import { type ChartBox, ChartFigure, type ChartText, DataTable } from './chart-figure.js'
import { BAR_COLOUR } from './series-style.js'

const WIDTH = 480
const ROW_HEIGHT = 32

/**
 * Named values side by side: one horizontal bar each, its name before it and its value after it.
 * Its table lists the same names and values, under the chart's title.
 */
export function BarChart(
  props: Omit<ChartText, 'table'> & {
    bars: ReadonlyArray<{ label: string; value: number; valueText: string }>
    /** The value a full-width bar stands for (1 for shares). */
    max: number
    /** Room for the names and for the values, in the chart's units. */
    labelWidth: number
    valueWidth: number
    /** The table's column headings: the names', then the values'. */
    tableHead: readonly [string, string]
  },
) {
  const box: ChartBox = {
    width: WIDTH,
    height: props.bars.length * ROW_HEIGHT + 8,
    margin: { top: 4, right: props.valueWidth, bottom: 4, left: props.labelWidth },
  }
  const { margin } = box
  const y = scaleBand<number>()
    .domain(props.bars.map((_, index) => index))
    .range([margin.top, box.height - margin.bottom])
    .padding(0.2)
  const x = scaleLinear()
    .domain([0, Math.max(props.max, 1e-9)])
    .range([margin.left, WIDTH - margin.right])
  return (
    <ChartFigure
      {...props}
      box={box}
      kind="bars"
      table={
        <DataTable
          id={props.id}
          caption={props.title}
          head={props.tableHead}
          rows={props.bars.map((bar) => ({ label: bar.label, cells: [bar.valueText] }))}
        />
      }
    >
      <line
        class="baseline"
        x1={margin.left}
        x2={margin.left}
        y1={margin.top}
        y2={box.height - margin.bottom}
      />
      {props.bars.map((bar, index) => {
        const top = y(index) ?? 0
        const middle = top + y.bandwidth() / 2
        const end = x(Math.min(bar.value, props.max))
        return (
          <g>
            <text x={margin.left - 8} y={middle} text-anchor="end" dominant-baseline="middle">
              {bar.label}
            </text>
            <rect
              x={margin.left}
              y={top}
              width={Math.max(0, end - margin.left)}
              height={y.bandwidth()}
              fill={BAR_COLOUR}
            />
            <text x={end + 6} y={middle} dominant-baseline="middle">
              {bar.valueText}
            </text>
          </g>
        )
      })}
    </ChartFigure>
  )
}
