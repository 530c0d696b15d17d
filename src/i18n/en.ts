import type { UiTexts } from '../core/types';

/** Built-in English texts. */
export const en: UiTexts = {
  bannerTitle: 'We value your privacy',
  bannerText: '{controller} uses cookies and similar technologies only where you allow it. You can change your mind at any time.',
  policyLink: 'Privacy policy',
  acceptAll: 'Accept all',
  rejectAll: 'Reject all',
  customize: 'Customize',
  preferencesTitle: 'Privacy preferences',
  preferencesText: 'Choose which purposes you allow. Required ones cannot be turned off.',
  save: 'Save choices',
  close: 'Close',
  requiredLabel: 'Always on',
  requiredReason: 'Needed for the site to work.',
  servicesLabel: 'Services',
  cookiesLabel: 'Cookies',
  gpcHonored: 'Opt-Out Preference Signal Honored',
  consentIdLabel: 'Consent ID',
  recordedAtLabel: 'Recorded',
  downloadReceipts: 'Download my receipts',
  placeholderText: 'This content needs your consent to “{purpose}”.',
  placeholderAllow: 'Allow',
  placeholderOpen: 'Open it elsewhere',
  reopen: 'Privacy settings',
};
