import { describe, expect, it } from 'vitest'
import { deriveStatus, type StatusInputs } from '../../src/sync/status.ts'

const base: StatusInputs = {
  userDisconnected: false,
  networkDown: false,
  signalingOpen: 1,
  peers: 0,
  syncedPeers: 0,
  connecting: 0,
  lastExchange: null,
}

describe('deriveStatus', () => {
  it('is searching while signaling is open and nobody is there', () => {
    expect(deriveStatus(base)).toEqual({ state: 'searching', peers: 0, lastExchange: null })
  })

  it('says a connection is being set up (on a slow link it takes seconds), with how many', () => {
    expect(deriveStatus({ ...base, connecting: 2 })).toEqual({ state: 'connecting', peers: 0, connecting: 2, lastExchange: null })
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
    expect(deriveStatus({ ...base, peers: 2, syncedPeers: 2, lastExchange: 5 })).toEqual({ state: 'synced', peers: 2, lastExchange: 5 })
  })

  it('stays synced with a peer after the signaling server goes away (data still flows)', () => {
    expect(deriveStatus({ ...base, signalingOpen: 0, peers: 1, syncedPeers: 1 }).state).toBe('synced')
  })

  it('keeps lastExchange when offline so the UI can say "last synced …"', () => {
    expect(deriveStatus({ ...base, userDisconnected: true, lastExchange: 123 }).lastExchange).toBe(123)
  })
})
