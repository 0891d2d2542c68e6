export const METRICS_TOKEN_REQUIRED = 'A valid metrics token is required (Authorization: Bearer <METRICS_TOKEN>)';
