import { describe, expect, it } from 'vitest';
import { decideOperatorAction, endingHandsOff, routeCustomerMessage } from './handoff-rules.ts';

describe('handoff rules', () => {
  it('routes a message to the person only while a person owns the conversation', () => {
    expect(routeCustomerMessage('person')).toBe('person');
    expect(routeCustomerMessage('agent')).toBe('agent');
    expect(routeCustomerMessage(undefined)).toBe('agent');
  });

  it('hands off on a handoff outcome or a critical loop, not on a spent limit', () => {
    expect(endingHandsOff({ outcome: 'handoff', reason: 'handoff' })).toBe(true);
    expect(endingHandsOff({ outcome: 'fallback', reason: 'loop_detected' })).toBe(true);
    expect(endingHandsOff({ outcome: 'fallback', reason: 'deadline' })).toBe(false);
    expect(endingHandsOff({ outcome: 'answered', reason: 'answered' })).toBe(false);
  });

  it('lets one operator claim; a second is refused; the same one may claim again', () => {
    const c = decideOperatorAction({ state: 'open' }, { type: 'claim', operator: 'mei' });
    expect(c).toEqual({ ok: true, to: 'claimed', claimedBy: 'mei', releasesConversation: false });
    expect(decideOperatorAction({ state: 'claimed', claimedBy: 'mei' }, { type: 'claim', operator: 'li' })).toMatchObject({ ok: false, code: 'already_claimed' });
    expect(decideOperatorAction({ state: 'claimed', claimedBy: 'mei' }, { type: 'claim', operator: 'mei' })).toMatchObject({ ok: true });
  });

  it('needs the claim to reply, transfer, resolve or hand back; a note does not', () => {
    expect(decideOperatorAction({ state: 'open' }, { type: 'reply', operator: 'mei' })).toMatchObject({ ok: false, code: 'not_claimed' });
    expect(decideOperatorAction({ state: 'claimed', claimedBy: 'mei' }, { type: 'reply', operator: 'li' })).toMatchObject({ ok: false, code: 'not_owner' });
    expect(decideOperatorAction({ state: 'open' }, { type: 'note', operator: 'li' })).toMatchObject({ ok: true, to: 'open' });
    expect(decideOperatorAction({ state: 'claimed', claimedBy: 'mei' }, { type: 'transfer', operator: 'mei', to: 'li' })).toEqual({ ok: true, to: 'claimed', claimedBy: 'li', releasesConversation: false });
  });

  it('resolving and handing back release the conversation; a closed handoff takes nothing more', () => {
    expect(decideOperatorAction({ state: 'claimed', claimedBy: 'mei' }, { type: 'hand_back', operator: 'mei' })).toMatchObject({ ok: true, to: 'returned', releasesConversation: true });
    expect(decideOperatorAction({ state: 'claimed', claimedBy: 'mei' }, { type: 'resolve', operator: 'mei' })).toMatchObject({ ok: true, to: 'resolved', releasesConversation: true });
    for (const state of ['resolved', 'returned'] as const) {
      expect(decideOperatorAction({ state, claimedBy: 'mei' }, { type: 'reply', operator: 'mei' })).toMatchObject({ ok: false, code: 'closed' });
      expect(decideOperatorAction({ state }, { type: 'note', operator: 'mei' })).toMatchObject({ ok: false, code: 'closed' });
    }
  });
});
