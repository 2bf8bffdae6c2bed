/** A small Markdown to HTML: headings, paragraphs, lists, code, emphasis and links — the index page's text, every character escaped first. */

/**
 * `text` as HTML: `#` headings, paragraphs, `-`/`*` and `1.` lists, fenced and indented-free
 * code blocks, `` `code` ``, `**strong**`, `*emphasis*` and `[links](url)` (http, https,
 * relative and `#` targets only). HTML in the text is shown as text, never run.
 *
 * @example
 * ```ts
 * markdownToHtml("# Lakes\nReadings from **three** sondes."); // "<h2>Lakes</h2>\n<p>Readings from <strong>three</strong> sondes.</p>"
 * ```
 */
export function markdownToHtml(text: string): string {
  const out: string[] = [];
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
    } else if (line.startsWith("```")) {
      const code: string[] = [];
      for (i++; i < lines.length && !lines[i].startsWith("```"); i++) code.push(lines[i]);
      i++;
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
    } else if (/^#{1,6}\s/.test(line)) {
      const level = Math.min(6, line.match(/^#+/)![0].length + 1);
      out.push(`<h${level}>${inline(line.replace(/^#+\s*/, ""))}</h${level}>`);
      i++;
    } else if (/^\s*([-*]|\d+\.)\s/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items: string[] = [];
      for (; i < lines.length && /^\s*([-*]|\d+\.)\s/.test(lines[i]); i++) {
        items.push(`<li>${inline(lines[i].replace(/^\s*([-*]|\d+\.)\s+/, ""))}</li>`);
      }
      const tag = ordered ? "ol" : "ul";
      out.push(`<${tag}>\n${items.join("\n")}\n</${tag}>`);
    } else {
      const para: string[] = [];
      for (; i < lines.length && lines[i].trim() !== "" && !isBlockStart(lines[i]); i++) {
        para.push(lines[i].trim());
      }
      out.push(`<p>${inline(para.join(" "))}</p>`);
    }
  }
  return out.join("\n");
}

/**
 * Text escaped for HTML content and attribute values.
 *
 * @example
 * ```ts
 * escapeHtml('<a href="x">'); // "&lt;a href=&quot;x&quot;&gt;"
 * ```
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

function isBlockStart(line: string): boolean {
  return line.startsWith("```") || /^#{1,6}\s/.test(line) || /^\s*([-*]|\d+\.)\s/.test(line);
}

/** One line's inline Markdown, escaped; code spans keep their text as it is. */
function inline(text: string): string {
  return text.split(/(`[^`]+`)/).map((part) => {
    if (/^`[^`]+`$/.test(part)) return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
    return escapeHtml(part)
      .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
      .replace(/\*([^*]+)\*/g, "<em>$1</em>")
      .replace(
        /\[([^\]]+)\]\(([^)\s]+)\)/g,
        (whole, label: string, url: string) =>
          /^(https?:\/\/|#|\.{0,2}\/|[\w-]+(\.\w+)*($|[/#?]))/.test(url) &&
            !/^[\w+.-]+:(?!\/\/)/.test(url)
            ? `<a href="${url}">${label}</a>`
            : whole,
      );
  }).join("");
}
