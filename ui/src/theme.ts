// Light, dark, or follow the system; remembered on this computer.
export type Theme = "system" | "light" | "dark";
const KEY = "hearth-theme";

export function storedTheme(): Theme {
  const t = localStorage.getItem(KEY);
  return t === "light" || t === "dark" ? t : "system";
}

export function applyTheme(theme: Theme): void {
  localStorage.setItem(KEY, theme);
  const dark =
    theme === "dark" || (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}
