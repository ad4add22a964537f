// What the API's values read as in French: enum labels, times, money, counts.

export const LABELS = {
  DEVICE_STATE_IN_STOCK: 'En stock', DEVICE_STATE_ASSIGNED: 'Affecté', DEVICE_STATE_IN_REPAIR: 'En réparation',
  DEVICE_STATE_LOST: 'Perdu', DEVICE_STATE_STOLEN: 'Volé', DEVICE_STATE_PENDING_RETURN: 'À restituer',
  DEVICE_STATE_RETURNED: 'Restitué',
  PACK_TYPE_SMARTPHONE_INDIVIDUAL: 'Smartphone individuel', PACK_TYPE_TABLET_INDIVIDUAL: 'Tablette individuelle',
  PACK_TYPE_TABLET_COLLECTIVE: 'Tablette collective', SMARTPHONE_INDIVIDUAL: 'Smartphone individuel',
  TABLET_INDIVIDUAL: 'Tablette individuelle', TABLET_COLLECTIVE: 'Tablette collective',
  DEVICE_KIND_PHONE: 'Téléphone', DEVICE_KIND_TABLET: 'Tablette',
  ORDER_STATE_DRAFT: 'Brouillon', ORDER_STATE_SUBMITTED: 'Soumis', ORDER_STATE_APPROVED: 'Approuvé',
  ORDER_STATE_SENT: 'Envoyé', ORDER_STATE_ACKNOWLEDGED: 'Accusé de réception', ORDER_STATE_PARTIALLY_DELIVERED: 'Livré en partie',
  ORDER_STATE_DELIVERED: 'Livré', ORDER_STATE_CLOSED: 'Clos', ORDER_STATE_CANCELLED: 'Annulé', ORDER_STATE_REJECTED: 'Rejeté',
  REPAIR_STATE_OPEN: 'Ouverte', REPAIR_STATE_REPAIRED: 'Réparée', REPAIR_STATE_FAILED: 'Irréparable',
  ITEM_KIND_PACK_LEASE: 'Location de pack', ITEM_KIND_ACCESSORY: 'Accessoire', ITEM_KIND_SPARE_PART: 'Pièce détachée',
  ITEM_KIND_TRAINING_DAY: 'Journée de formation',
  CAMPAIGN_STATE_RUNNING: 'En cours', CAMPAIGN_STATE_PAUSED: 'Suspendue', CAMPAIGN_STATE_HALTED: 'Arrêtée (échecs)',
  CAMPAIGN_STATE_CANCELLED: 'Annulée', CAMPAIGN_STATE_COMPLETED: 'Terminée', ITEM_KIND_PATCH_SLA_DEDUCTION: 'Pénalité de retard de correctifs',
  NETWORK_TYPE_NONE: 'Aucun', NETWORK_TYPE_WIFI: 'Wi-Fi', NETWORK_TYPE_2G: '2G', NETWORK_TYPE_3G: '3G', NETWORK_TYPE_4G: '4G',
  NETWORK_TYPE_5G: '5G',
  // a remote command's progress
  COMMAND_STATUS_QUEUED: 'En file', COMMAND_STATUS_DELIVERED: 'Remise à l’équipement',
  COMMAND_STATUS_ACKNOWLEDGED: 'Exécutée', COMMAND_STATUS_INSTALLED: 'Installée (à confirmer)',
  COMMAND_STATUS_CONFIRMED: 'Confirmée par les relevés', COMMAND_STATUS_FAILED: 'En échec',
  COMMAND_KIND_LOCK: 'Verrouillage', COMMAND_KIND_WIPE: 'Effacement', COMMAND_KIND_LOCATE: 'Localisation', COMMAND_KIND_UPDATE: 'Mise à jour ROM',
  ENROLMENT_STATUS_ENROLLED: 'Inscrit', ENROLMENT_STATUS_WAITLISTED: 'En liste d’attente',
  ENROLMENT_STATUS_WITHDRAWN: 'Désisté', ENROLMENT_STATUS_PASSED: 'Reçu', ENROLMENT_STATUS_FAILED: 'Ajourné',
  ENROLMENT_STATUS_ABSENT: 'Absent',
};

/** The French label of an API enum value (or of a bare value), else the value made readable. */
export function label(value, prefix) {
  if (!value) {
    return '—';
  }
  if (LABELS[value]) {
    return LABELS[value];
  }
  const text = String(value).replace(prefix, '').toLowerCase().replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A google.type.Date as the API sends it ({year, month, day}) as "YYYY-MM-DD"; '' when unset. */
export function isoDay(d) {
  if (!d || !d.year) {
    return '';
  }
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString('fr-FR', { dateStyle: 'medium', timeStyle: 'short' }) : '—';
}

/** A decimal amount as the API sends it ("12500000.00"), written the French way, digits unchanged. */
export function money(text) {
  if (text === undefined || text === null || text === '') {
    return '—';
  }
  const [whole, cents] = String(text).split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = whole.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, '\u202f');
  return `${sign}${digits}${cents === undefined ? '' : `,${cents}`}`;
}

export function num(n) {
  return Number(n || 0).toLocaleString('fr-FR');
}
