/**
 * What each script's numeric answers mean (see the Output section of its .lua file), decoded here
 * and nowhere else.
 */

export type SaveAnswer = 'saved' | 'saved_unheard' | 'payloads_needed' | 'conflict' | 'gone'
export type DeleteAnswer = 'deleted' | 'conflict' | 'gone'
export type RefreshAnswer = 'gone' | 'queued' | 'due' | 'running'
export type SubscriptionAnswer = 'added' | 'gone'
export type CompareAndSetAnswer = 'replaced' | 'changed'
export type RotateAnswer = 'rotated' | 'conflict' | 'gone'
export type EmailSubscriptionAnswer = 'added' | 'gone' | 'too_many'

const SAVE_ANSWERS: Record<string, SaveAnswer> = {
  '1': 'saved',
  '3': 'saved_unheard',
  '2': 'payloads_needed',
  '0': 'conflict',
  '-1': 'gone',
}
const DELETE_ANSWERS: Record<string, DeleteAnswer> = { '1': 'deleted', '0': 'conflict', '-1': 'gone' }
const REFRESH_ANSWERS: Record<string, RefreshAnswer> = {
  '0': 'gone',
  '1': 'queued',
  '2': 'due',
  '3': 'running',
}
const SUBSCRIPTION_ANSWERS: Record<string, SubscriptionAnswer> = { '1': 'added', '0': 'gone' }
const COMPARE_AND_SET_ANSWERS: Record<string, CompareAndSetAnswer> = { '1': 'replaced', '0': 'changed' }
const ROTATE_ANSWERS: Record<string, RotateAnswer> = { '1': 'rotated', '0': 'conflict', '-1': 'gone' }
const EMAIL_SUBSCRIPTION_ANSWERS: Record<string, EmailSubscriptionAnswer> = {
  '1': 'added',
  '0': 'gone',
  '-1': 'too_many',
}

function decode<T>(script: string, answers: Record<string, T>, code: number): T {
  const answer = answers[String(code)]
  if (answer === undefined) throw new Error(`${script} answered ${code}, which it never does`)
  return answer
}

export const decodeSaveAnswer = (code: number) => decode('saveTrackings', SAVE_ANSWERS, code)
export const decodeDeleteAnswer = (code: number) => decode('deleteTracking', DELETE_ANSWERS, code)
export const decodeRefreshAnswer = (code: number) => decode('requestRefresh', REFRESH_ANSWERS, code)
export const decodeSubscriptionAnswer = (code: number) =>
  decode('addSubscription', SUBSCRIPTION_ANSWERS, code)
export const decodeCompareAndSetAnswer = (code: number) =>
  decode('compareAndSet', COMPARE_AND_SET_ANSWERS, code)
export const decodeRotateAnswer = (code: number) => decode('rotatePageToken', ROTATE_ANSWERS, code)
/** `replaceLogo` and `removeLogo` answer as `compareAndSet` does, about the settings document. */
export const decodeLogoAnswer = (script: 'replaceLogo' | 'removeLogo', code: number) =>
  decode(script, COMPARE_AND_SET_ANSWERS, code)
export const decodeEmailSubscriptionAnswer = (code: number) =>
  decode('addEmailSubscription', EMAIL_SUBSCRIPTION_ANSWERS, code)
