import type { ToolErrorType } from '@steward/store';

/**
 * The τ-bench protocol marks a failed call by its text ("Error: …"), which the model must see
 * unchanged. This is the one place that reads the text: everything after works on the type.
 */
export function isErrorResult(result: string): boolean {
  return result.startsWith('Error:');
}

/** The structured type of a call that ended in an exception (after its retries). */
export function exceptionType(code: string): ToolErrorType {
  return code === 'invalid_call_ref' ? 'invalid_call_ref' : 'unavailable';
}
