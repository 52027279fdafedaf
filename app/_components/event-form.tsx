"use client";

import { useActionState } from "react";
import type { EventState } from "./types";

interface Props {
  id: string;
  title: string;
  description: string;
  action: (prev: EventState, form: FormData) => Promise<EventState>;
}

/** The demo's "send an event" form: one address, answered with how many waiting jobs it resumed. */
export function EventForm({ id, title, description, action }: Props) {
  const [state, formAction, pending] = useActionState(action, { kind: "idle" } as EventState);
  const values = state.kind === "invalid" || state.kind === "error" ? state.values : {};
  const err = state.kind === "invalid" ? state.fieldErrors.email?.[0] : undefined;
  return (
    <section className="enq-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p className="muted">{description}</p>
      <form action={formAction} noValidate id={id}>
        <div className="enq-field">
          <label htmlFor={`${id}-email`}>Email</label>
          <input
            type="text"
            id={`${id}-email`}
            name="email"
            placeholder="ada@example.com"
            defaultValue={values.email ?? ""}
            aria-invalid={err ? true : undefined}
            aria-describedby={err ? `${id}-email-error` : undefined}
          />
          {err ? (
            <span className="error" id={`${id}-email-error`} data-testid="error-email">
              {err}
            </span>
          ) : null}
        </div>
        <button type="submit" disabled={pending}>
          {pending ? "Sending…" : "Activate"}
        </button>
      </form>
      {state.kind === "error" ? <p className="error" role="alert">{state.message}</p> : null}
      {state.kind === "sent" ? (
        <p className="enq-result" data-testid="event-result" data-resumed={state.resumed}>
          Sent <code>user.activated</code> for {state.email}: resumed {state.resumed} waiting job{state.resumed === 1 ? "" : "s"}
          {state.resumed === 0 ? " (a sequence that begins to wait within 5 minutes still receives it)" : ""}.
        </p>
      ) : null}
    </section>
  );
}
