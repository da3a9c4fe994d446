import { expect } from 'vitest'
import { CarrierError } from '../../adapters/contract.js'

/** The CarrierError a promise rejects with; fails the test when it resolves or throws anything else. */
export async function caughtCarrierError(promise: Promise<unknown>): Promise<CarrierError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(CarrierError)
  return error as CarrierError
}
