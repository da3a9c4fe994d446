/** Sandbox journeys play 36 000× faster than real time (38 simulated hours in about 3.8 s), polled every 200–300 ms. */
export const FAST_SANDBOX_POLLING = {
  SANDBOX_TIME_SCALE: '36000',
  POLL_PENDING: '200ms-300ms',
  POLL_INFO_RECEIVED: '200ms-300ms',
  POLL_IN_TRANSIT: '200ms-300ms',
  POLL_NEAR_DELIVERY: '200ms-300ms',
  POLL_EXCEPTION: '200ms-300ms',
  POLL_RETRY: '200ms-300ms',
}
