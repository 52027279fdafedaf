import { createRegistry } from "cronbound";
import { onboarding } from "./onboarding.ts";
import { processUpload } from "./process-upload.ts";
import { sendEmail } from "./send-email.ts";
import { syncCustomer } from "./sync-customer.ts";

/** Every job type of this app. Add yours here. */
export const registry = createRegistry([sendEmail, processUpload, onboarding, syncCustomer]);
