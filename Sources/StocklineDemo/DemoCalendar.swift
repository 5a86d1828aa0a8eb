import Foundation

/// One business day of the demo year.
struct DemoDay: Sendable {
    /// Position in the year's business days, from 0.
    var index: Int
    /// 06:00 UTC on the day.
    var morning: Date
    var year: Int
    /// 1 to 12.
    var month: Int
    var day: Int
    /// Monday to Friday as 1 to 5.
    var weekday: Int
    /// Whether this is the last business day of its month (month-end counts happen then).
    var isMonthEnd: Bool

    /// `YYYY-MM-DD`, as lot expiry dates are written.
    var text: String { DemoCalendar.text(year: year, month: month, day: day) }
}

/// The business days of the demo year, Monday to Friday, in UTC.
enum DemoCalendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()

    /// The business days from `start` for `months` months.
    static func businessDays(from start: Date, months: Int) -> [DemoDay] {
        let first = utc.dateComponents([.year, .month], from: start)
        guard let month = utc.date(from: DateComponents(year: first.year, month: first.month, day: 1)),
            let end = utc.date(byAdding: .month, value: months, to: month)
        else { return [] }
        var days: [DemoDay] = []
        var date = start
        while date < end {
            let parts = utc.dateComponents([.year, .month, .day, .weekday], from: date)
            let weekday = ((parts.weekday ?? 1) + 5) % 7 + 1  // Monday = 1 … Sunday = 7
            if weekday <= 5 {
                days.append(
                    DemoDay(
                        index: days.count, morning: date, year: parts.year ?? 2025, month: parts.month ?? 1,
                        day: parts.day ?? 1, weekday: weekday, isMonthEnd: false))
            }
            date += 86_400
        }
        for index in days.indices where index == days.count - 1 || days[index + 1].month != days[index].month {
            days[index].isMonthEnd = true
        }
        return days
    }

    /// The date `months` after `day`, as `YYYY-MM-DD`: a lot's expiry.
    static func expiry(after day: DemoDay, months: Int) -> String {
        let date = utc.date(byAdding: .month, value: months, to: day.morning) ?? day.morning
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return text(year: parts.year ?? day.year, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    static func text(year: Int, month: Int, day: Int) -> String {
        "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }
}
