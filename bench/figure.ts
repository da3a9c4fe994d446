/** One benchmark figure, as written to bench/results.json. */
export interface Figure {
  name: string
  value: number
  unit: string
  /** What the value is compared with, measured in the same run (undefined for absolute figures). */
  baseline?: number
  /** value / baseline (or as the figure defines it); what `target` applies to when present. */
  ratio?: number
  /** The bound to hold, e.g. `ratio >= 0.5` or `value <= 5`. */
  target: string
  pass: boolean
  /** How it was measured, in one line. */
  note?: string
}

/** A part of a figure's run in the bench process, marked so a profile can cover only it. */
export interface MeasuredSpan {
  start(): Promise<void>
  stop(): Promise<void>
}

export interface BenchOptions {
  /** `--quick`: smaller sizes, the whole run in about 2 to 3 minutes. */
  quick: boolean
  /**
   * Present under `--profile`: a figure measured in the bench process calls it around the part it
   * measures, and the profile covers the first such part instead of the whole module.
   */
  profiledSpan?: MeasuredSpan
}

export type FigureModule = (options: BenchOptions) => Promise<Figure[]>

export function atLeast(
  name: string,
  value: number,
  unit: string,
  bound: number,
  extra: Partial<Figure> = {},
): Figure {
  return { name, value, unit, target: `>= ${bound}`, pass: (extra.ratio ?? value) >= bound, ...extra }
}

export function atMost(
  name: string,
  value: number,
  unit: string,
  bound: number,
  extra: Partial<Figure> = {},
): Figure {
  return { name, value, unit, target: `<= ${bound}`, pass: (extra.ratio ?? value) <= bound, ...extra }
}

export function within(
  name: string,
  value: number,
  unit: string,
  low: number,
  high: number,
  extra: Partial<Figure> = {},
): Figure {
  const held = extra.ratio ?? value
  return { name, value, unit, target: `${low}–${high}`, pass: held >= low && held <= high, ...extra }
}
