import {
  type SymbolType,
  symbol,
  symbolCircle,
  symbolCross,
  symbolDiamond,
  symbolSquare,
  symbolStar,
  symbolTriangle,
  symbolWye,
} from 'd3-shape'

/**
 * Colours that would pass WCAG AA as text on white (more than graphics need), each with its own dash
 * pattern and marker: two series never differ by colour alone.
 */
const COLOURS = ['#1d4ed8', '#b45309', '#047857', '#b91c1c', '#6d28d9', '#0e7490', '#be185d', '#4b5563']
const DASHES = ['', '8 4', '2 3', '10 3 2 3', '4 4', '12 4', '2 6', '6 2 2 2']
const MARKERS: SymbolType[] = [
  symbolCircle,
  symbolSquare,
  symbolTriangle,
  symbolDiamond,
  symbolCross,
  symbolStar,
  symbolWye,
  symbolCircle,
]

export interface SeriesStyle {
  colour: string
  dash: string
  /** SVG path of the series' marker, centred on 0,0. */
  marker: string
}

/** The style of the `index`-th series; past the last colour they repeat, shifted so neighbours still differ. */
export function seriesStyle(index: number): SeriesStyle {
  const at = (list: readonly unknown[], shift: number) =>
    (index + shift * Math.floor(index / list.length)) % list.length
  return {
    colour: COLOURS[at(COLOURS, 0)] ?? '#1d4ed8',
    dash: DASHES[at(DASHES, 3)] ?? '',
    marker: symbol(MARKERS[at(MARKERS, 5)] ?? symbolCircle, 48)() ?? '',
  }
}

/** The accent of single-series charts (bars): the default accent of the pages. */
export const BAR_COLOUR = '#1d4ed8'
