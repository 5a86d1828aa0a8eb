import Foundation
import StocklineCore

/// A step chart of a timeline's P(t), as SVG rendered on the server: it needs no script, works offline and prints.
enum TimelineChart {
    static func svg(_ timeline: Timeline, days: Int = 60) -> String {
        let width = 760.0, height = 220.0, left = 56.0, right = 12.0, top = 12.0, bottom = 28.0
        let points = timeline.points
        let start = timeline.today
        let end = max(
            Day.adding(days, to: start), points.last.map { Day.adding(7, to: $0.date) } ?? Day.adding(days, to: start))
        let values = points.map { Double($0.projected.micros) / Double(Fixed.one) } + [0]
        let low = min(0, values.min() ?? 0), high = max(1, values.max() ?? 1)
        func x(_ date: Date) -> Double {
            left + (width - left - right) * date.timeIntervalSince(start) / max(1, end.timeIntervalSince(start))
        }
        func y(_ value: Double) -> Double { top + (height - top - bottom) * (high - value) / max(1, high - low) }
        var path = ""
        for (index, point) in points.enumerated() {
            let value = Double(point.projected.micros) / Double(Fixed.one)
            let px = x(point.date), py = y(value)
            path += index == 0 ? "M\(f(px)),\(f(py))" : " H\(f(px)) V\(f(py))"
        }
        path += " H\(f(x(end)))"
        let zero = y(0)
        let ticks = stride(from: 0, through: Double(days), by: 14).map { offset -> String in
            let date = Day.adding(Int(offset), to: start)
            return "<text x=\"\(f(x(date)))\" y=\"\(f(height - 8))\" class=\"tick\">\(Day.text(date).suffix(5))</text>"
        }.joined()
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(f(width)) \(f(height))" role="img" \
            aria-label="Projected free stock from \(Day.text(start))">\
            <style>.tick{font:11px sans-serif;fill:#5b6675}.axis{stroke:#d9dee5}.p{fill:none;stroke:#0b5cad;stroke-width:2}\
            .zero{stroke:#a4161a;stroke-dasharray:4 3}</style>\
            <line class="axis" x1="\(f(left))" y1="\(f(top))" x2="\(f(left))" y2="\(f(height - bottom))"/>\
            <line class="zero" x1="\(f(left))" y1="\(f(zero))" x2="\(f(width - right))" y2="\(f(zero))"/>\
            <text x="4" y="\(f(y(high) + 4))" class="tick">\(Int(high))</text>\
            <text x="4" y="\(f(zero + 4))" class="tick">0</text>\
            <path class="p" d="\(path)"/>\(ticks)</svg>
            """
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }
}
