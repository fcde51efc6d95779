import { makeStyles, tokens } from '@fluentui/react-components';

/**
 * Buttons on the brand-coloured header (menu, notifications, user). A transparent Fluent button
 * turns its text and icon brand blue on hover and press — the header's own colour, so it vanished.
 * These keep the on-brand foreground and show hover and press as a lighter or darker background.
 */
export const useHeaderButtonStyles = makeStyles({
  root: {
    color: tokens.colorNeutralForegroundOnBrand,
    '& .fui-Button__icon': { color: tokens.colorNeutralForegroundOnBrand },
    ':hover': {
      color: tokens.colorNeutralForegroundOnBrand,
      backgroundColor: tokens.colorBrandBackgroundHover,
      '& .fui-Button__icon': { color: tokens.colorNeutralForegroundOnBrand },
    },
    ':hover:active': {
      color: tokens.colorNeutralForegroundOnBrand,
      backgroundColor: tokens.colorBrandBackgroundPressed,
      '& .fui-Button__icon': { color: tokens.colorNeutralForegroundOnBrand },
    },
    ':focus-visible': { outlineColor: tokens.colorNeutralForegroundOnBrand },
  },
});
