import { describe, expect, it } from 'vitest'
import { deriveStatus, type StatusInputs } from '../../src/sync/status.ts'

const base: StatusInputs = {
  userDisconnected: false,
  networkDown: false,
  signalingOpen: 1,
  peers: 0,
  memberPeers: 0,
  relayPeers: 0,
  syncedPeers: 0,
  connecting: 0,
  lastExchange: null,
}

describe('deriveStatus', () => {
  it('is searching while signaling is open and nobody is there', () => {
    expect(deriveStatus(base)).toEqual({ state: 'searching', peers: 0, members: 0, relays: 0, unverified: 0, lastExchange: null })
  })

  it('says a connection is being set up (on a slow link it takes seconds), with how many', () => {
    expect(deriveStatus({ ...base, connecting: 2 })).toEqual({ state: 'connecting', peers: 0, members: 0, relays: 0, unverified: 0, connecting: 2, lastExchange: null })
    // Once one peer is open, the open ones are what counts.
    expect(deriveStatus({ ...base, connecting: 1, peers: 1, syncedPeers: 1 }).state).toBe('synced')
    expect(deriveStatus({ ...base, connecting: 1, userDisconnected: true }).state).toBe('offline')
  })

  it('is offline with no signaling and no peer', () => {
    expect(deriveStatus({ ...base, signalingOpen: 0 }).state).toBe('offline')
  })

  it('is offline when the user went offline, whatever else is true', () => {
    expect(deriveStatus({ ...base, userDisconnected: true, peers: 2, syncedPeers: 2 })).toMatchObject({ state: 'offline', peers: 0 })
  })

  it('is offline when the browser reports no network', () => {
    expect(deriveStatus({ ...base, networkDown: true }).state).toBe('offline')
  })

  it('is connected while a peer has not sent its state yet', () => {
    expect(deriveStatus({ ...base, peers: 2, syncedPeers: 1 })).toMatchObject({ state: 'connected', peers: 2 })
  })

  it('is synced when every connected peer has completed sync step 2', () => {
    expect(deriveStatus({ ...base, peers: 2, memberPeers: 2, syncedPeers: 2, lastExchange: 5 })).toEqual({ state: 'synced', peers: 2, members: 2, relays: 0, unverified: 0, lastExchange: 5 })
  })

  it('stays synced with a peer after the signaling server goes away (data still flows)', () => {
    expect(deriveStatus({ ...base, signalingOpen: 0, peers: 1, syncedPeers: 1 }).state).toBe('synced')
  })

  it('keeps lastExchange when offline so the UI can say "last synced …"', () => {
    expect(deriveStatus({ ...base, userDisconnected: true, lastExchange: 123 }).lastExchange).toBe(123)
  })

  it('counts what connected peers proved: member devices, relays, and the rest as unverified', () => {
    // Alice's phone is connected to Bob's laptop, the circle's relay, and a listener holding only the room's secret.
    expect(deriveStatus({ ...base, peers: 3, memberPeers: 1, relayPeers: 1, syncedPeers: 3 })).toMatchObject({ state: 'synced', peers: 3, members: 1, relays: 1, unverified: 1 })
    // Nobody proved anything (yet): every peer is unverified, never a member.
    expect(deriveStatus({ ...base, peers: 2, syncedPeers: 1 })).toMatchObject({ state: 'connected', members: 0, relays: 0, unverified: 2 })
  })

  it('never counts more proven peers than open connections (a proof outlives its connection for a moment)', () => {
    expect(deriveStatus({ ...base, peers: 1, memberPeers: 2, relayPeers: 1, syncedPeers: 1 })).toMatchObject({ peers: 1, members: 1, relays: 0, unverified: 0 })
  })

  it('counts nobody while offline or searching', () => {
    expect(deriveStatus({ ...base, userDisconnected: true, peers: 2, memberPeers: 2, syncedPeers: 2 })).toMatchObject({ members: 0, relays: 0, unverified: 0 })
  })
})
