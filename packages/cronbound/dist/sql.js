// A tiny SQL builder: a tagged template that keeps values out of the text. Every value becomes
// a `$n` placeholder; a nested `Sql` is spliced in with its own values renumbered. Nothing here
// quotes or escapes a value: only `raw` (trusted text: identifiers the engine built itself,
// never input) enters the statement text.
const BRAND = Symbol.for("cronbound.sql");
export class Sql {
    strings;
    values;
    /** Marks fragments across copies of this module (a bundled and an unbundled cronbound). */
    [BRAND] = true;
    /** `strings.length === values.length + 1`, as in a template literal. */
    constructor(strings, values) {
        this.strings = strings;
        this.values = values;
    }
    /** The statement text with `$1`, `$2`, ... placeholders. */
    get text() {
        let text = this.strings[0];
        for (let i = 1; i < this.strings.length; i++)
            text += `$${i}${this.strings[i]}`;
        return text;
    }
}
export function isSql(v) {
    return v instanceof Sql || (typeof v === "object" && v !== null && v[BRAND] === true);
}
/** `sql\`SELECT ... WHERE id = ${id}\``: values become parameters, nested `Sql` is spliced in. */
export function sql(strings, ...values) {
    const outStrings = [strings[0]];
    const outValues = [];
    for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (isSql(v)) {
            outStrings[outStrings.length - 1] += v.strings[0];
            for (let k = 0; k < v.values.length; k++) {
                outValues.push(v.values[k]);
                outStrings.push(v.strings[k + 1]);
            }
            outStrings[outStrings.length - 1] += strings[i + 1];
        }
        else {
            outValues.push(v);
            outStrings.push(strings[i + 1]);
        }
    }
    return new Sql(outStrings, outValues);
}
/** Trusted text spliced in as is (identifiers the engine built, never input). */
export function raw(text) {
    return new Sql([text], []);
}
export const empty = raw("");
/** Fragments joined by `separator`. */
export function join(parts, separator = ", ") {
    if (parts.length === 0)
        return empty;
    const strings = ["", ...parts.slice(1).map(() => separator), ""];
    return sql(strings, ...parts);
}
/** A double-quoted identifier; refuses anything but a plain name. */
export function ident(name) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
        throw new Error(`not a plain SQL identifier: ${JSON.stringify(name)}`);
    return raw(`"${name}"`);
}
