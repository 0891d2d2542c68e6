export const ADMIN_MESSAGES = {
  notSelf: 'Admins cannot block or demote themselves',
} as const;
