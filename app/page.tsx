import { enqueueOnboarding, enqueueProcessUpload, enqueueSendEmail, sendActivation } from "./actions";
import { EnqueueForm } from "./_components/enqueue-form";
import { EventForm } from "./_components/event-form";

// Server actions on this page run within this limit, and so does their kick in after().
// Keep equal to the maxDuration the actions pass to kick() (app/actions.ts; Next only reads a literal here).
export const maxDuration = 90;

export default function Home() {
  return (
    <>
      <h1>Enqueue a job</h1>
      <p className="muted">
        Each form is a server action: it validates with the job type&apos;s zod schema, inserts the job, and after the
        response runs a short tick (the <em>kick</em>), so the job starts at once instead of at the next cron minute.
        Jobs the kick does not reach run on the every-minute cron tick (<code>GET /api/jobs/tick</code>).
      </p>
      <div className="enq-forms">
        <EnqueueForm
          id="send-email"
          title="send-email"
          description="Simulated sending (~1 s); the email is written to the outbox table."
          submitLabel="Send email"
          action={enqueueSendEmail}
          fields={[
            { name: "to", label: "To", placeholder: "ada@example.com" },
            { name: "subject", label: "Subject", placeholder: "Welcome" },
            { name: "body", label: "Body (optional)", kind: "textarea" },
          ]}
        />
        <EnqueueForm
          id="process-upload"
          title="process-upload"
          description="Simulated processing (~2 s) in ten steps, reporting progress."
          submitLabel="Process upload"
          action={enqueueProcessUpload}
          fields={[{ name: "fileId", label: "File id", placeholder: "file_123", hint: "1 to 200 characters" }]}
        />
      </div>
      <h2>A durable sequence</h2>
      <p className="muted">
        <code>onboarding</code> is a job of steps (docs/STEPS.md): it sends a welcome email as a child job and waits for it,
        sleeps, then waits for <code>user.activated</code> for this address, and sends a follow-up only if none came. Each
        step&apos;s result is stored, so a retry or a later tick never sends an email twice; while it sleeps or waits it holds
        no lease. Each wake-up runs at the next tick; its timeline is on the job&apos;s dashboard page.
      </p>
      <div className="enq-forms">
        <EnqueueForm
          id="onboarding"
          title="onboarding"
          description="Welcome email, a pause (5 s here, days in a real app), a wait for activation (15 s), a follow-up if none."
          submitLabel="Start onboarding"
          action={enqueueOnboarding}
          fields={[
            { name: "email", label: "Email", placeholder: "ada@example.com" },
            { name: "name", label: "Name (optional)", placeholder: "Ada" },
          ]}
        />
        <EventForm
          id="activate"
          title="user.activated"
          description="Send the activation event: an onboarding for this address that waits (or begins to wait within 5 minutes) skips its follow-up."
          action={sendActivation}
        />
      </div>
    </>
  );
}
