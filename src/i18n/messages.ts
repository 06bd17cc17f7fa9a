import type { Message } from './translate.ts'
import type { en } from './en.ts'

export type MessageKey = keyof typeof en
/** Every language provides every key; plural messages stay plural. */
export type Messages = { readonly [K in MessageKey]: (typeof en)[K] extends string ? string : Exclude<Message, string> }
