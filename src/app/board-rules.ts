import { ITEMS_ROOT, META_ROOT, MODERATOR_FIELDS, REMOVED_ROOT, itemOwner } from '../core/index.ts'
import type { ContentRules } from '../sealed/index.ts'

/** The board's authority rules for the sealed engine, from core's layout: items are their owners', the rest moderators'. */
export const BOARD_RULES: ContentRules = {
  owned: ITEMS_ROOT,
  moderated: [META_ROOT, REMOVED_ROOT],
  moderatorFields: MODERATOR_FIELDS,
  ownerOf: itemOwner,
}
