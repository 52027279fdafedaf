import { enqueueProcessUpload, enqueueSendEmail } from "./actions";
import { EnqueueForm } from "./_components/enqueue-form";

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
    </>
  );
}
