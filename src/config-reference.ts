import { z } from 'zod'
import { CONFIG_SCHEMA } from './config.js'

export const CONFIG_REFERENCE_START = '<!-- config:start -->'
export const CONFIG_REFERENCE_END = '<!-- config:end -->'

export interface ConfigVariable {
  name: string
  /** As given in the environment; undefined: unset by default. */
  defaultValue: string | undefined
  /** The accepted values of an enum variable. */
  values: readonly string[] | undefined
  description: string | undefined
}

/** What the environment may give a variable: its default and enum values, through defaults and pipes. */
function inspectInput(schema: z.ZodType): Pick<ConfigVariable, 'defaultValue' | 'values'> {
  let defaultValue: string | undefined
  let current: z.ZodType = schema
  for (;;) {
    if (current instanceof z.ZodPipe) current = current.in as z.ZodType
    else if (current instanceof z.ZodDefault) {
      defaultValue ??= String(current.def.defaultValue)
      current = current.unwrap() as z.ZodType
    } else if (current instanceof z.ZodOptional) current = current.unwrap() as z.ZodType
    else break
  }
  return { defaultValue, values: current instanceof z.ZodEnum ? current.options.map(String) : undefined }
}

/** Every variable of a config schema, in schema order. */
export function listConfigVariables(schema: z.ZodObject = CONFIG_SCHEMA): ConfigVariable[] {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    ...inspectInput(field as z.ZodType),
    description: (field as z.ZodType).description,
  }))
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The configuration reference of docs/configuration.md: one Markdown table row per variable. */
export function renderConfigReference(schema: z.ZodObject = CONFIG_SCHEMA): string {
  const rows = listConfigVariables(schema).map((variable) => {
    const fallback =
      variable.defaultValue === undefined
        ? 'unset'
        : variable.defaultValue === ''
          ? 'empty'
          : `\`${variable.defaultValue}\``
    const quoted = variable.values?.map((value) => `\`${value}\``) ?? []
    // Listed unless the description already names every value.
    const values = quoted.every((value) => variable.description?.includes(value))
      ? ''
      : ` (one of ${quoted.join(', ')})`
    return `| \`${variable.name}\` | ${cell(fallback)} | ${cell(`${variable.description ?? ''}${values}`)} |`
  })
  return [
    '<!-- generated from CONFIG_SCHEMA in src/config.ts by `npm run docs:config`: edit the descriptions there -->',
    '| variable | default | |',
    '| --- | --- | --- |',
    ...rows,
  ].join('\n')
}

/** `page` with the text between the config markers replaced by `reference`. */
export function replaceConfigReference(page: string, reference: string): string {
  const start = page.indexOf(CONFIG_REFERENCE_START)
  const end = page.indexOf(CONFIG_REFERENCE_END)
  if (start === -1 || end < start) {
    throw new Error(`the page has no ${CONFIG_REFERENCE_START} … ${CONFIG_REFERENCE_END} section`)
  }
  return `${page.slice(0, start + CONFIG_REFERENCE_START.length)}\n${reference}\n${page.slice(end)}`
}
