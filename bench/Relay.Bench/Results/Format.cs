using System.Globalization;

namespace Relay.Bench.Results;

internal static class Format
{
    /// <summary>A value with sensible digits for its size and its unit.</summary>
    public static string Number(double value, string unit)
    {
        if (double.IsNaN(value))
        {
            return "–";
        }

        var digits = Math.Abs(value) switch
        {
            >= 1000 => "#,0",
            >= 100 => "0",
            >= 10 => "0.0",
            >= 1 => "0.00",
            _ => "0.000",
        };
        var text = value.ToString(digits, CultureInfo.InvariantCulture);
        return unit switch
        {
            "/s" => text + "/s",
            "" => text,
            _ => text + " " + unit,
        };
    }

    public static string Ratio(double ratio) => double.IsNaN(ratio) ? "" : ratio.ToString(ratio >= 10 ? "0" : ratio >= 1 ? "0.0" : "0.00", CultureInfo.InvariantCulture) + "×";
}
