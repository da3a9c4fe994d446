import type { Child } from 'hono/jsx'

/** Where a chart draws, in the units of its viewBox (it scales to the width of the page). */
export interface ChartBox {
  width: number
  height: number
  margin: { top: number; right: number; bottom: number; left: number }
}

/** What every chart is told besides its figures: its names and its table. */
export interface ChartText {
  id: string
  title: string
  desc: string
  tableLabel: string
  table: Child
}

/**
 * A chart and its text alternative: the SVG is one image named by its `<title>` and described by its
 * `<desc>`, and the figures it draws are in a table beside it, folded away until asked for.
 */
export function ChartFigure(
  props: ChartText & {
    box: ChartBox
    /** Bars read their names beside them: those charts keep a larger type and a narrower width. */
    kind?: 'bars'
    children: Child
  },
) {
  const { id, box } = props
  return (
    <figure class={props.kind === 'bars' ? 'chart bars' : 'chart'}>
      <svg
        viewBox={`0 0 ${box.width} ${box.height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-title`}>{props.title}</title>
        <desc id={`${id}-desc`}>{props.desc}</desc>
        {props.children}
      </svg>
      <details>
        <summary>{props.tableLabel}</summary>
        <section class="table-scroll" tabindex={0} aria-labelledby={`${id}-caption`}>
          {props.table}
        </section>
      </details>
    </figure>
  )
}

/** A data table under a chart: its caption names it for the scrolling region around it. */
export function DataTable(props: {
  id: string
  /** Left out where a heading already names the table. */
  caption?: string
  head: readonly string[]
  rows: ReadonlyArray<{ label: string; cells: readonly string[] }>
}) {
  return (
    <table>
      {props.caption === undefined ? null : <caption id={`${props.id}-caption`}>{props.caption}</caption>}
      <thead>
        <tr>
          {props.head.map((cell) => (
            <th scope="col">{cell}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <th scope="row">{row.label}</th>
            {row.cells.map((cell) => (
              <td>{cell}</td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** A value axis's gridline and label, horizontal. */
export function GridLine(props: { y: number; x1: number; x2: number; label: string }) {
  return (
    <g class="grid">
      <line x1={props.x1} x2={props.x2} y1={props.y} y2={props.y} />
      <text x={props.x1 - 6} y={props.y} text-anchor="end" dominant-baseline="middle">
        {props.label}
      </text>
    </g>
  )
}
