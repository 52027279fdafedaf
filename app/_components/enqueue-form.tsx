"use client";

import { useActionState } from "react";
import type { EnqueueState } from "./types";
import { JobStatusLine } from "./job-status";

export interface Field {
  name: string;
  label: string;
  kind?: "text" | "textarea";
  placeholder?: string;
  hint?: string;
}

interface Props {
  id: string;
  title: string;
  description: string;
  fields: Field[];
  submitLabel: string;
  action: (prev: EnqueueState, form: FormData) => Promise<EnqueueState>;
}

/**
 * One demo form. Validation is the server action's (the job type's own zod schema), so the
 * form sets noValidate: the field errors shown are exactly what enqueue would refuse.
 */
export function EnqueueForm({ id, title, description, fields, submitLabel, action }: Props) {
  const [state, formAction, pending] = useActionState(action, { kind: "idle" } as EnqueueState);
  const values = state.kind === "invalid" || state.kind === "error" ? state.values : {};
  const errors = state.kind === "invalid" ? state.fieldErrors : {};
  return (
    <section className="enq-card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      <p className="muted">{description}</p>
      {/* key: a new result remounts the inputs, so they show the values the action returned */}
      <form action={formAction} noValidate id={id} key={state.kind === "enqueued" ? state.job.id : "form"}>
        {fields.map((f) => {
          const err = errors[f.name]?.[0];
          const inputId = `${id}-${f.name}`;
          const common = {
            id: inputId,
            name: f.name,
            placeholder: f.placeholder,
            defaultValue: values[f.name] ?? "",
            "aria-invalid": err ? true : undefined,
            "aria-describedby": err ? `${inputId}-error` : undefined,
          };
          return (
            <div className="enq-field" key={f.name}>
              <label htmlFor={inputId}>{f.label}</label>
              {f.kind === "textarea" ? <textarea rows={3} {...common} /> : <input type="text" {...common} />}
              {err ? (
                <span className="error" id={`${inputId}-error`} data-testid={`error-${f.name}`}>
                  {err}
                </span>
              ) : f.hint ? (
                <span className="enq-hint">{f.hint}</span>
              ) : null}
            </div>
          );
        })}
        <button type="submit" disabled={pending}>
          {pending ? "Enqueueing…" : submitLabel}
        </button>
      </form>
      {state.kind === "error" ? <p className="error" role="alert">{state.message}</p> : null}
      {state.kind === "enqueued" ? <JobStatusLine key={state.job.id} job={state.job} /> : null}
    </section>
  );
}
