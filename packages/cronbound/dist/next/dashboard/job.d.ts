import type { Engine } from "../../engine/context.ts";
import { type Search } from "./overview.tsx";
import { type ViewContext } from "./ui.tsx";
/** One job: its facts, dependencies, failed attempts, payload and result, with Retry and Cancel. */
export declare function JobView({ e, v, id, sp }: {
    e: Engine;
    v: ViewContext;
    id: string;
    sp: Search;
}): Promise<import("react/jsx-runtime").JSX.Element>;
