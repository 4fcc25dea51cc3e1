/**
 * What a person would notice on a phone screen, measured in the browser: tap targets smaller than
 * 44 CSS px (Apple's and WeChat's guideline), words broken across lines in the middle, and text
 * drawn over other text. Each check returns readable lines; an empty list means none found.
 */
import type { Page } from 'playwright-core';

/** The smallest height (and width) a tap target may have, in CSS px. */
export const MIN_TAP_PX = 44;

/** Elements people tap: buttons (Taro's H5 Button is a div.taro-button-core), links, inputs and our chips. */
const TAP_TARGETS = 'button, .taro-button-core, a[href], input, textarea, [role="button"], .chip';

/** Visible tap targets smaller than 44 px, as `"label": W×H px`. */
export function smallTapTargets(page: Page): Promise<string[]> {
  return page.evaluate(([selector, min]) => {
    const problems: string[] = [];
    for (const element of Array.from(document.querySelectorAll<HTMLElement>(selector))) {
      const rect = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden' || style.display === 'none') continue;
      // Taro wraps an <input> in its own box: the box is what the finger hits.
      const box = element.tagName === 'INPUT' && element.parentElement?.classList.contains('weui-input') ? element.parentElement.getBoundingClientRect() : rect;
      if (box.height < min - 0.5 || box.width < min - 0.5) {
        const label = (element.textContent ?? '').trim().slice(0, 30) || element.getAttribute('placeholder') || element.tagName.toLowerCase();
        problems.push(`"${label}": ${Math.round(box.width)}×${Math.round(box.height)} px`);
      }
    }
    return problems;
  }, [TAP_TARGETS, MIN_TAP_PX] as const);
}

/**
 * Latin words and numbers (2 or more letters or digits) that start on one line and end on the
 * next, as `"word" in "text"`. Long unbroken strings (URLs, tokens, ids over 32 characters) may
 * wrap anywhere and are left out; Chinese breaks between characters by design.
 */
export function brokenWords(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const text = node.textContent ?? '';
      const parent = node.parentElement;
      if (parent === null || text.trim() === '' || parent.closest('script, style') !== null) continue;
      for (const chunk of text.matchAll(/\S+/g)) {
        if (chunk[0].length > 32) continue;
        for (const word of chunk[0].matchAll(/[A-Za-z0-9]{2,}/g)) {
          const start = (chunk.index ?? 0) + (word.index ?? 0);
          const range = document.createRange();
          range.setStart(node, start);
          range.setEnd(node, start + word[0].length);
          const tops = new Set(Array.from(range.getClientRects()).filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
          if (tops.size > 1) problems.push(`"${word[0]}" in "${text.trim().slice(0, 40)}"`);
        }
      }
    }
    return problems;
  });
}

/**
 * Pairs of visible text runs whose glyph boxes intersect, as `"a" over "b"`. Text hidden under an
 * overlay (the sandbox pay sheet's mask) is not visible and not compared.
 */
export function overlappingText(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    interface Run { text: string; element: Element; rects: DOMRect[] }
    const runs: Run[] = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent === null || (node.textContent ?? '').trim() === '' || parent.closest('script, style') !== null) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = Array.from(range.getClientRects()).filter((rect) => rect.width > 1 && rect.height > 1);
      // Visible: the element on top at the middle of the run is this text's element (or inside it).
      const visible = rects.filter((rect) => {
        const x = rect.left + rect.width / 2;
        const y = rect.top + rect.height / 2;
        if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return true;
        const top = document.elementFromPoint(x, y);
        return top !== null && (top === parent || parent.contains(top) || top.contains(parent));
      });
      if (visible.length > 0) runs.push({ text: (node.textContent ?? '').trim(), element: parent, rects: visible });
    }
    const problems: string[] = [];
    const overlapArea = (a: DOMRect, b: DOMRect): number =>
      Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left)) * Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const a = runs[i];
        const b = runs[j];
        // Line boxes of neighbouring lines touch by a pixel or two; a glyph drawn over another covers more.
        const hit = a.rects.some((ra) => b.rects.some((rb) => overlapArea(ra, rb) > Math.min(ra.height, rb.height) * 3));
        if (hit) problems.push(`"${a.text.slice(0, 30)}" over "${b.text.slice(0, 30)}"`);
      }
    }
    return problems;
  });
}

/** Every layout problem on the page, each prefixed with its kind. */
export async function layoutProblems(page: Page): Promise<string[]> {
  const [taps, words, overlaps] = await Promise.all([smallTapTargets(page), brokenWords(page), overlappingText(page)]);
  return [...taps.map((line) => `tap target under ${MIN_TAP_PX} px: ${line}`), ...words.map((line) => `word broken mid-word: ${line}`), ...overlaps.map((line) => `text over text: ${line}`)];
}
