import type { UiTexts } from '../core/types';

/** Built-in Simplified Chinese texts. */
export const zhCN: UiTexts = {
  bannerTitle: '我们重视您的隐私',
  bannerText: '{controller}仅在您允许时使用 Cookie 及类似技术。您可以随时更改选择。',
  policyLink: '隐私政策',
  acceptAll: '全部接受',
  rejectAll: '全部拒绝',
  customize: '自定义',
  preferencesTitle: '隐私偏好设置',
  preferencesText: '请选择您允许的用途。必要用途无法关闭。',
  save: '保存选择',
  close: '关闭',
  requiredLabel: '始终开启',
  requiredReason: '网站正常运行所必需。',
  servicesLabel: '服务',
  cookiesLabel: 'Cookie',
  gpcHonored: '已遵从退出偏好信号（GPC）',
  consentIdLabel: '同意编号',
  recordedAtLabel: '记录时间',
  downloadReceipts: '下载我的同意凭证',
  placeholderText: '此内容需要您同意“{purpose}”。',
  placeholderAllow: '允许',
  placeholderOpen: '在别处打开',
  reopen: '隐私设置',
};
