"use strict";
// GS1 element strings as handheld scanners send them: "]C1" + "01" GTIN + "17" expiry + "10" lot, variable fields
// ended by the group separator (ASCII 29), or the printed form "(01)…(10)…". Also a bare GTIN-8/12/13/14.
const GS1 = (() => {
  const GS = "\u001d";
  // Application identifier: [fixed length (0: variable), maximum length, field].
  const AIS = {
    "00": [18, 18, "sscc"], "01": [14, 14, "gtin"], "02": [14, 14, "content"], "10": [0, 20, "lot"],
    "11": [6, 6, "produced"], "13": [6, 6, "packed"], "15": [6, 6, "bestBefore"], "17": [6, 6, "expiry"],
    "21": [0, 20, "serial"], "30": [0, 8, "count"], "37": [0, 8, "count"], "240": [0, 30, "additional"],
    "241": [0, 30, "customerPart"], "400": [0, 30, "orderNumber"], "410": [13, 13, "shipTo"],
    "414": [13, 13, "location"],
  };
  for (let decimals = 0; decimals <= 5; decimals++) AIS["310" + decimals] = [6, 6, "netKg", decimals];

  function checkDigitOK(digits) {
    let sum = 0;
    for (let i = digits.length - 2, weight = 3; i >= 0; i--, weight = 4 - weight) sum += Number(digits[i]) * weight;
    return (10 - (sum % 10)) % 10 === Number(digits[digits.length - 1]);
  }

  /** YYMMDD as a calendar day; day 00 is the month's last day. */
  function day(text) {
    const year = 2000 + Number(text.slice(0, 2)), month = Number(text.slice(2, 4));
    let date = Number(text.slice(4, 6));
    if (month < 1 || month > 12) return null;
    if (date === 0) date = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return `${year}-${String(month).padStart(2, "0")}-${String(date).padStart(2, "0")}`;
  }

  function assign(result, ai, value) {
    const [, , field, decimals] = AIS[ai];
    if (field === "expiry" || field === "bestBefore" || field === "produced" || field === "packed") {
      const date = day(value);
      if (!date) throw new Error(`(${ai}) ${value} is not a date`);
      result[field] = date;
    } else if (field === "count") {
      result.count = String(Number(value));
    } else if (field === "netKg") {
      result.netKg = String(Number(value) / 10 ** decimals);
    } else if (field === "gtin") {
      if (!/^\d{14}$/.test(value) || !checkDigitOK(value)) throw new Error(`(01) ${value}: the check digit is wrong`);
      result.gtin = value;
    } else {
      result[field] = value;
    }
  }

  function aiAt(text, at) {
    for (const size of [2, 3, 4]) if (AIS[text.slice(at, at + size)]) return text.slice(at, at + size);
    return null;
  }

  /**
   * The fields of a scanned string: {gtin, lot, expiry, serial, count, …}, or null when it is no GS1 string (a
   * SKU, a location or an order id). Throws on a GS1 string that cannot be read, with the reason.
   */
  function parse(raw) {
    let text = raw.trim().replace(/^\][A-Za-z]\d/, "");
    if (/^\d{8}$|^\d{12,14}$/.test(text)) {
      const gtin = text.padStart(14, "0");
      if (!checkDigitOK(gtin)) throw new Error(`${text}: the check digit is wrong`);
      return { gtin };
    }
    const result = {};
    if (text.startsWith("(")) {
      const pattern = /\((\d{2,4})\)([^(]*)/g;
      let match, seen = 0;
      while ((match = pattern.exec(text))) {
        if (!AIS[match[1]]) throw new Error(`(${match[1]}) is not an identifier this scanner reads`);
        assign(result, match[1], match[2].replaceAll(GS, ""));
        seen += match[0].length;
      }
      if (seen !== text.length) throw new Error(`${raw} is not a complete GS1 string`);
      return result;
    }
    if (!(text.includes(GS) || /^(01|02|00)\d{14}/.test(text))) return null;
    let at = 0;
    while (at < text.length) {
      if (text[at] === GS) { at++; continue; }
      const ai = aiAt(text, at);
      if (!ai) throw new Error(`${text.slice(at, at + 4)}… is not an identifier this scanner reads`);
      const [fixed, max] = AIS[ai];
      at += ai.length;
      let value;
      if (fixed) {
        value = text.slice(at, at + fixed);
        if (value.length !== fixed) throw new Error(`(${ai}) needs ${fixed} characters`);
        at += fixed;
      } else {
        const end = text.indexOf(GS, at);
        value = text.slice(at, end === -1 ? text.length : end);
        if (value.length > max) throw new Error(`(${ai}) is longer than ${max} characters`);
        at += value.length;
      }
      assign(result, ai, value);
    }
    return result;
  }

  /** A GTIN of any length as the 14 digits it is compared by. */
  const normalize = (gtin) => (gtin ? String(gtin).padStart(14, "0") : null);

  return { parse, normalize };
})();
