import type { Logger } from '../logger.js'
import type { ForecastModelHolder } from './forecast-models.js'

export interface ForecastRefresh {
  stop(): void
}

/**
 * Loads the forecast model now, then every `everyMs` (FORECAST_REFRESH). A failed load keeps the
 * model the API has (or none) and is logged: forecasts are an extra, never a reason not to answer.
 */
export async function startForecastRefresh(
  holder: ForecastModelHolder,
  everyMs: number,
  logger: Logger,
): Promise<ForecastRefresh> {
  const load = async () => {
    try {
      await holder.refresh()
    } catch (error) {
      logger.warn({ err: error }, 'forecast model not refreshed')
    }
  }
  await load()
  const timer = setInterval(load, everyMs)
  timer.unref()
  return {
    stop() {
      clearInterval(timer)
    },
  }
}
