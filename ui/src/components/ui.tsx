// Small, accessible building blocks shared by every screen.
import * as Dialog from "@radix-ui/react-dialog";
import { forwardRef, useEffect, useRef, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from "react";
import { errorTitle, type AppError } from "../lib/errors";

export function cx(...classes: (string | false | null | undefined)[]): string {
  return classes.filter(Boolean).join(" ");
}

type Variant = "primary" | "secondary" | "ghost" | "danger";

export const Button = forwardRef<HTMLButtonElement, ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; busy?: boolean }>(
  function Button({ variant = "secondary", busy, className, children, disabled, ...rest }, ref) {
    return (
      <button
        ref={ref}
        disabled={disabled || busy}
        className={cx(
          "inline-flex items-center justify-center gap-2 rounded-md px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50",
          variant === "primary" && "bg-accent text-accent-ink hover:brightness-110",
          variant === "secondary" && "border border-line bg-panel text-ink hover:bg-sunken",
          variant === "ghost" && "text-muted hover:bg-sunken hover:text-ink",
          variant === "danger" && "bg-danger text-white hover:brightness-110",
          className,
        )}
        {...rest}
      >
        {busy && <Spinner />}
        {children}
      </button>
    );
  },
);

export function Spinner() {
  return <span aria-hidden className="inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-t-transparent" />;
}

const fieldClass =
  "rounded-md border border-line bg-panel px-2.5 py-1.5 text-sm text-ink placeholder:text-muted/70 focus:border-accent focus:outline-none";

/** Full width unless the caller gives a width (two width utilities would fight). */
function widthOr(className?: string): string {
  return className && /(^|\s)w-/.test(className) ? "" : "w-full";
}

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement>>(function Input({ className, ...rest }, ref) {
  return <input ref={ref} className={cx(fieldClass, widthOr(className), className)} {...rest} />;
});

export const TextArea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement>>(function TextArea({ className, ...rest }, ref) {
  return <textarea ref={ref} className={cx(fieldClass, "leading-relaxed", widthOr(className), className)} {...rest} />;
});

export function Select({ className, ...rest }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={cx(fieldClass, "pr-8", widthOr(className), className)} {...rest} />;
}

export function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactNode }) {
  return (
    <label className="block space-y-1">
      <span className="text-xs font-medium text-muted">{label}</span>
      {children}
      {hint && <span className="block text-xs text-muted">{hint}</span>}
    </label>
  );
}

export function Card({ title, actions, children, className, testId }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section data-testid={testId} className={cx("rounded-lg border border-line bg-panel", className)}>
      {(title || actions) && (
        <header className="flex items-center justify-between border-b border-line px-4 py-2.5">
          <h2 className="text-sm font-semibold">{title}</h2>
          <div className="flex gap-2">{actions}</div>
        </header>
      )}
      <div className="p-4">{children}</div>
    </section>
  );
}

export function Badge({ children, tone = "neutral" }: { children: ReactNode; tone?: "neutral" | "ok" | "warn" | "danger" | "accent" }) {
  return (
    <span
      className={cx(
        "inline-flex items-center whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium",
        tone === "neutral" && "bg-sunken text-muted",
        tone === "ok" && "bg-ok/15 text-ok",
        tone === "warn" && "bg-warn/15 text-warn",
        tone === "danger" && "bg-danger/15 text-danger",
        tone === "accent" && "bg-accent/15 text-accent",
      )}
    >
      {children}
    </span>
  );
}

export function ErrorBanner({ error, onDismiss }: { error: AppError | null; onDismiss?: () => void }) {
  const ref = useRef<HTMLDivElement>(null);
  // A message below the fold is as good as none: bring it into view when it appears.
  useEffect(() => {
    if (error) ref.current?.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  }, [error]);
  if (!error) return null;
  return (
    <div ref={ref} role="alert" data-testid="error" data-kind={error.kind} className="flex items-start gap-3 rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-sm">
      <div className="flex-1">
        <div className="font-semibold text-danger">{errorTitle(error.kind)}</div>
        <div className="text-ink" data-selectable>
          {error.message}
        </div>
        {error.detail && (
          <details className="mt-1 text-xs text-muted" data-testid="error-detail">
            <summary className="cursor-pointer select-none">Details</summary>
            <div className="mt-1 break-words font-mono" data-selectable>
              {error.detail}
            </div>
          </details>
        )}
      </div>
      {onDismiss && (
        <button className="text-muted hover:text-ink" onClick={onDismiss} aria-label="Dismiss">
          ✕
        </button>
      )}
    </div>
  );
}

/** A labelled progress bar (0–100) that screen readers follow. */
export function ProgressBar({ testId, label, labelTestId, detail, percent }: { testId: string; label: ReactNode; labelTestId?: string; detail: ReactNode; percent: number }) {
  return (
    <div data-testid={testId} aria-live="polite">
      <div className="mb-1 flex justify-between text-xs text-muted">
        <span data-testid={labelTestId}>{label}</span>
        <span>{detail}</span>
      </div>
      <div className="h-2 overflow-hidden rounded-full bg-sunken" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <div className="h-full rounded-full bg-accent transition-[width] duration-300" style={{ width: `${percent}%` }} />
      </div>
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="py-6 text-center text-sm text-muted">{children}</p>;
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="rounded border border-line bg-sunken px-1.5 py-0.5 font-mono text-[11px] text-muted">{children}</kbd>;
}

export function Modal({ open, onOpenChange, title, description, children, testId }: { open: boolean; onOpenChange: (o: boolean) => void; title: string; description?: string; children: ReactNode; testId?: string }) {
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 bg-black/40" />
        <Dialog.Content
          data-testid={testId}
          className="fixed left-1/2 top-[8%] max-h-[85vh] w-[min(560px,92vw)] -translate-x-1/2 overflow-y-auto rounded-lg border border-line bg-panel p-5 text-ink shadow-2xl"
        >
          <Dialog.Title className="text-base font-semibold">{title}</Dialog.Title>
          {description ? (
            <Dialog.Description className="mt-1 text-sm text-muted">{description}</Dialog.Description>
          ) : (
            <Dialog.Description className="sr-only">{title}</Dialog.Description>
          )}
          <div className="mt-4">{children}</div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}

/** Copies text; falls back to a hidden text area where the Clipboard API is unavailable. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
}
