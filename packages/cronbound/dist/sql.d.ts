declare const BRAND: unique symbol;
export declare class Sql {
    readonly strings: readonly string[];
    readonly values: readonly unknown[];
    /** Marks fragments across copies of this module (a bundled and an unbundled cronbound). */
    readonly [BRAND] = true;
    /** `strings.length === values.length + 1`, as in a template literal. */
    constructor(strings: readonly string[], values: readonly unknown[]);
    /** The statement text with `$1`, `$2`, ... placeholders. */
    get text(): string;
}
export declare function isSql(v: unknown): v is Sql;
/** `sql\`SELECT ... WHERE id = ${id}\``: values become parameters, nested `Sql` is spliced in. */
export declare function sql(strings: TemplateStringsArray | readonly string[], ...values: unknown[]): Sql;
/** Trusted text spliced in as is (identifiers the engine built, never input). */
export declare function raw(text: string): Sql;
export declare const empty: Sql;
/** Fragments joined by `separator`. */
export declare function join(parts: readonly Sql[], separator?: string): Sql;
/** A double-quoted identifier; refuses anything but a plain name. */
export declare function ident(name: string): Sql;
export {};
