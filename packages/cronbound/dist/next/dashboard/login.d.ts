import type { Access } from "./auth.ts";
import type { Search } from "./overview.tsx";
import { type ViewContext } from "./ui.tsx";
/** A page the sign-in may send the user back to: the overview or one job. */
export declare function safeNext(base: string, next: unknown): string;
export declare function Login({ v, access, sp }: {
    v: ViewContext;
    access: Access;
    sp: Search;
}): import("react/jsx-runtime").JSX.Element;
