//! Unit tests of the formatting helpers against results checked with CPython 3.11.

use super::*;

fn err<T: fmt::Debug>(r: PyFmtResult<T>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn float_repr_cases() {
    let cases: [(f64, &str); 16] = [
        (0.0, "0.0"),
        (-0.0, "-0.0"),
        (1.0, "1.0"),
        (1e16, "1e+16"),
        (1e15, "1000000000000000.0"),
        (1.5e-5, "1.5e-05"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (123456789012345.0, "123456789012345.0"),
        (1234567890123456.8, "1234567890123456.8"),
        (2e16 + 8.0, "2.000000000000001e+16"),
        (75489909383959.12, "75489909383959.12"),
        (f64::INFINITY, "inf"),
        (f64::NEG_INFINITY, "-inf"),
        (f64::NAN, "nan"),
        (5e-324, "5e-324"),
    ];
    for (x, want) in cases {
        assert_eq!(float_repr(x), want, "repr({x:e})");
    }
}

#[test]
fn format_float_cases() {
    let cases: [(f64, &str, &str); 20] = [
        (1.0, ".3", "1.0"),
        (1e20, ".3", "1e+20"),
        (123.0, ".3", "1.23e+02"),
        (1.5, "", "1.5"),
        (1.0, "#.0f", "1."),
        (1.0, "#.0e", "1.e+00"),
        (1.0, "#g", "1.00000"),
        (0.5, ".0%", "50%"),
        (0.5, "#.0%", "50.%"),
        (-0.001, "z.0%", "0%"),
        (-0.0, "z", "0.0"),
        (12345.678, "_", "12_345.678"),
        (12345.678, "020,.2f", "0,000,000,012,345.68"),
        (-1e-7, "015,", "-00,000,001e-07"),
        (f64::INFINITY, "010", "0000000inf"),
        (1.5, "=^10", "===1.5===="),
        (2.675, ".2f", "2.67"),
        (0.125, ".2f", "0.12"),
        (f64::NAN, "+F", "+NAN"),
        (123456.0, "n", "123456"),
    ];
    for (x, spec, want) in cases {
        assert_eq!(
            format_float(x, spec).unwrap(),
            want,
            "format({x}, {spec:?})"
        );
    }
    assert_eq!(
        err(format_float(1.0, ".2ff")),
        "ValueError: Invalid format specifier '.2ff' for object of type 'float'"
    );
    assert_eq!(
        err(format_float(1.5, "c")),
        "ValueError: Unknown format code 'c' for object of type 'float'"
    );
    assert_eq!(
        err(format_float(1.0, ",n")),
        "ValueError: Cannot specify ',' with 'n'."
    );
}

#[test]
fn format_int_cases() {
    let cases: [(i64, &str, &str); 14] = [
        (1234, "010,", "00,001,234"),
        (1234, "_x", "4d2"),
        (1234, "#010_x", "0x000_04d2"),
        (-255, "#X", "-0XFF"),
        (255, "x<#10", "255xxxxxxx"),
        (3, "0=+5", "+0003"),
        (3, "=+05", "+0003"),
        (123, "^+10_", "   +123   "),
        (65, "c", "A"),
        (5, ".2f", "5.00"),
        (1, "_b", "1"),
        (-42, "", "-42"),
        (i64::MIN, "x", "-8000000000000000"),
        (7, "%", "700.000000%"),
    ];
    for (v, spec, want) in cases {
        assert_eq!(format_int(v, spec).unwrap(), want, "format({v}, {spec:?})");
    }
    assert_eq!(
        err(format_int(5, ".2")),
        "ValueError: Precision not allowed in integer format specifier"
    );
    assert_eq!(
        err(format_int(1, ",b")),
        "ValueError: Cannot specify ',' with 'b'."
    );
    assert_eq!(
        err(format_int(1, ",_")),
        "ValueError: Cannot specify both ',' and '_'."
    );
    assert_eq!(
        err(format_int(1, ",,")),
        "ValueError: Cannot specify ',' with ','."
    );
    assert_eq!(
        err(format_int(1, "\u{0}")),
        "ValueError: Unknown format code '\\x0' for object of type 'int'"
    );
    assert_eq!(
        err(format_int(-1, "c")),
        "OverflowError: %c arg not in range(0x110000)"
    );
    assert_eq!(
        err(format_int(1, "99999999999999999999")),
        "ValueError: Too many decimal digits in format string"
    );
    let huge = num_traits::pow(BigInt::from(10), 4300);
    assert!(err(format_bigint(&huge, "")).starts_with("ValueError: Exceeds the limit (4300"));
    assert_eq!(
        err(format_bigint(&huge, "f")),
        "OverflowError: int too large to convert to float"
    );
}

#[test]
fn format_str_cases() {
    assert_eq!(format_str("ab", "^7").unwrap(), "  ab   ");
    assert_eq!(format_str("ab", ".1").unwrap(), "a");
    assert_eq!(format_str("abc", "x^8.2").unwrap(), "xxxabxxx");
    assert_eq!(format_str("a", "05").unwrap(), "a0000");
    assert_eq!(format_str("é", "\u{0661}\u{0660}").unwrap(), "é         ");
    assert_eq!(
        err(format_str("x", "d")),
        "ValueError: Unknown format code 'd' for object of type 'str'"
    );
    assert_eq!(
        err(format_str("a", "+")),
        "ValueError: Sign not allowed in string format specifier"
    );
    assert_eq!(
        err(format_str("a", " ")),
        "ValueError: Space not allowed in string format specifier"
    );
    assert_eq!(
        err(format_str("a", "=10")),
        "ValueError: '=' alignment not allowed in string format specifier"
    );
    assert_eq!(
        err(format_str("a", ",")),
        "ValueError: Cannot specify ',' with 's'."
    );
}

#[test]
fn str_repr_cases() {
    assert_eq!(str_repr("a'b"), "\"a'b\"");
    assert_eq!(str_repr("a'b\""), "'a\\'b\"'");
    assert_eq!(str_repr("\t\n\r\\\u{0}\u{7f}"), "'\\t\\n\\r\\\\\\x00\\x7f'");
    assert_eq!(str_repr("\u{80}\u{a0}\u{ad}é"), "'\\x80\\xa0\\xadé'");
    assert_eq!(
        str_repr("\u{2028}\u{378}\u{e000}😀\u{10ffff}"),
        "'\\u2028\\u0378\\ue000😀\\U0010ffff'"
    );
    assert_eq!(ascii_escape(&str_repr("é😀")), "'\\xe9\\U0001f600'");
}

fn pct(fmt: &str, args: &[SimpleArg<'_>]) -> PyFmtResult<String> {
    percent_format(fmt, PercentArgs::Tuple(args))
}

#[test]
fn percent_cases() {
    use SimpleArg::*;
    assert_eq!(
        pct(
            "%5.1f|%-8.3e|%+g",
            &[Float(3.25159), Float(-0.00012345), Float(1e20)]
        )
        .unwrap(),
        "  3.3|-1.234e-04|+1e+20"
    );
    assert_eq!(
        pct("%#08x %#o %#X", &[Int(-255), Int(0), Int(255)]).unwrap(),
        "-0x000ff 0o0 0XFF"
    );
    assert_eq!(
        pct("%.5d|%#.5o|%.3x", &[Int(-42), Int(42), Int(-1)]).unwrap(),
        "-00042|0o00052|-001"
    );
    assert_eq!(
        pct("%-05d|%+05x|%05s", &[Int(-3), Int(255), Str("ab")]).unwrap(),
        "-3   |+00ff|   ab"
    );
    assert_eq!(
        pct(
            "%.3s|%5c|%r|%a",
            &[Str("abcdef"), Str("a"), Str("a'b"), Str("é")]
        )
        .unwrap(),
        "abc|    a|\"a'b\"|'\\xe9'"
    );
    assert_eq!(
        pct("%d %s %%", &[Float(3.7), Bool(true)]).unwrap(),
        "3 True %"
    );
    assert_eq!(
        pct(
            "%*d|%-*d|%.*f",
            &[Int(4), Int(1), Int(-3), Int(2), Int(2), Float(1.0)]
        )
        .unwrap(),
        "   1|2  |1.00"
    );
    assert_eq!(
        err(pct("%s", &[])),
        "TypeError: not enough arguments for format string"
    );
    assert_eq!(
        err(pct("%d", &[Int(1), Int(2)])),
        "TypeError: not all arguments converted during string formatting"
    );
    assert_eq!(
        err(pct("%d", &[Str("1")])),
        "TypeError: %d format: a real number is required, not str"
    );
    assert_eq!(
        err(pct("%x", &[Float(3.5)])),
        "TypeError: %x format: an integer is required, not float"
    );
    assert_eq!(
        err(pct("%f", &[Str("1")])),
        "TypeError: must be real number, not str"
    );
    assert_eq!(
        err(pct("%c", &[Float(3.5)])),
        "TypeError: %c requires int or char"
    );
    assert_eq!(
        err(pct("%c", &[Int(0x110000)])),
        "OverflowError: %c arg not in range(0x110000)"
    );
    assert_eq!(
        err(pct("%d", &[Float(f64::INFINITY)])),
        "OverflowError: cannot convert float infinity to integer"
    );
    assert_eq!(
        err(pct("%y", &[Int(1)])),
        "ValueError: unsupported format character 'y' (0x79) at index 1"
    );
    assert_eq!(
        err(pct("%é", &[Int(1)])),
        "ValueError: unsupported format character '?' (0xe9) at index 1"
    );
    assert_eq!(err(pct("%5", &[Int(1)])), "ValueError: incomplete format");
    assert_eq!(
        err(pct("%*d", &[Str("a"), Int(1)])),
        "TypeError: * wants int"
    );
    assert_eq!(
        err(pct("%(a)s", &[])),
        "TypeError: format requires a mapping"
    );
    assert_eq!(
        percent_format("%s", PercentArgs::Single(&Int(5))).unwrap(),
        "5"
    );
}

#[test]
fn percent_mapping() {
    let value = SimpleArg::None;
    let mut lookup = |k: &str| -> PyFmtResult<SimpleArg<'static>> {
        match k {
            "a" => Ok(SimpleArg::Int(1)),
            _ => Err(PyFmtError::new("KeyError", str_repr(k))),
        }
    };
    let mut run = |fmt: &str| {
        percent_format(
            fmt,
            PercentArgs::Mapping {
                value: &value,
                lookup: &mut lookup,
            },
        )
    };
    assert_eq!(run("%(a)05d!").unwrap(), "00001!");
    assert_eq!(run("abc").unwrap(), "abc");
    assert_eq!(err(run("%(b)s")), "KeyError: 'b'");
    assert_eq!(
        err(run("%(a)s %s")),
        "TypeError: not enough arguments for format string"
    );
    assert_eq!(err(run("%(a")), "ValueError: incomplete format key");
    assert_eq!(
        err(run("%(a)%")),
        "ValueError: unsupported format character '%' (0x25) at index 4"
    );
}

#[test]
fn int_from_str_cases() {
    let ok = |s: &str, base: i64| int_from_str(s, base).unwrap().to_string();
    assert_eq!(ok(" -0o17 ", 0), "-15");
    assert_eq!(ok("0x_1", 0), "1");
    assert_eq!(ok("0_0", 0), "0");
    assert_eq!(ok("\u{85}5\u{a0}", 10), "5");
    assert_eq!(ok("٣٤", 5), "19");
    assert_eq!(ok("1_000", 10), "1000");
    assert_eq!(ok("zz", 36), "1295");
    assert_eq!(
        err(int_from_str("01", 0)),
        "ValueError: invalid literal for int() with base 0: '01'"
    );
    assert_eq!(
        err(int_from_str("1__0", 10)),
        "ValueError: invalid literal for int() with base 10: '1__0'"
    );
    assert_eq!(
        err(int_from_str("\u{1c}5", 10)),
        "ValueError: invalid literal for int() with base 10: '\\x1c5'"
    );
    assert_eq!(
        err(int_from_str("1", 1)),
        "ValueError: int() base must be >= 2 and <= 36, or 0"
    );
    let long = "x".repeat(300);
    let msg = err(int_from_str(&long, 10));
    assert_eq!(
        msg,
        format!(
            "ValueError: invalid literal for int() with base 10: '{}",
            "x".repeat(199)
        )
    );
    assert!(err(int_from_str(&"1".repeat(5000), 10)).contains("value has 5000 digits"));
    assert_eq!(
        int_from_str(&format!("0b{}", "1".repeat(5000)), 0)
            .unwrap()
            .bits(),
        5000
    );
}

#[test]
fn float_from_str_cases() {
    assert_eq!(float_from_str("1_0.5").unwrap(), 10.5);
    assert_eq!(float_from_str("\u{663}.5").unwrap(), 3.5);
    assert_eq!(float_from_str(" 1e5 ").unwrap(), 1e5);
    assert_eq!(float_from_str("-.5e-3").unwrap(), -0.0005);
    assert_eq!(float_from_str("+infinity ").unwrap(), f64::INFINITY);
    assert!(float_from_str("-nAn").unwrap().is_nan());
    assert_eq!(float_from_str("1e400").unwrap(), f64::INFINITY);
    for bad in [
        "1._5", "1e", "1e_1", "1_e1", "_1", "1_", "", ".", "infinit", "- 1", "5\u{0}", "0x10",
    ] {
        assert_eq!(
            err(float_from_str(bad)),
            format!(
                "ValueError: could not convert string to float: {}",
                str_repr(bad)
            )
        );
    }
}

#[test]
fn round_cases() {
    assert_eq!(round_float(2.675, Some(2)).unwrap(), 2.67);
    assert_eq!(round_float(0.5, None).unwrap(), 0.0);
    assert_eq!(round_float(1.5, None).unwrap(), 2.0);
    assert_eq!(round_float(2.5, None).unwrap(), 2.0);
    assert_eq!(round_float(25.4, Some(-1)).unwrap(), 30.0);
    assert_eq!(round_float(25.0, Some(-1)).unwrap(), 20.0);
    assert_eq!(round_float(35.0, Some(-1)).unwrap(), 40.0);
    assert!(round_float(-0.4, Some(0)).unwrap().is_sign_negative());
    assert!(round_float(f64::NAN, Some(2)).unwrap().is_nan());
    assert_eq!(
        err(round_float(1.7976931348623157e308, Some(-308))),
        "OverflowError: rounded value too large to represent"
    );
    assert_eq!(
        err(round_float(f64::NAN, None)),
        "ValueError: cannot convert float NaN to integer"
    );
    assert_eq!(
        err(round_float_to_int(f64::INFINITY)),
        "OverflowError: cannot convert float infinity to integer"
    );
    assert_eq!(round_float_to_int(-2.5).unwrap(), BigInt::from(-2));
    assert_eq!(round_int(&BigInt::from(25), -1), BigInt::from(20));
    assert_eq!(round_int(&BigInt::from(-15), -1), BigInt::from(-20));
    assert_eq!(
        round_int(&BigInt::from(7), -1_000_000_000_000),
        BigInt::from(0)
    );
    assert_eq!(float_to_int(1e300).unwrap().to_string().len(), 301);
}

#[test]
fn big_int_to_float_rounding() {
    let two = BigInt::from(2);
    // 2**1024 - 2**970 rounds up to 2**1024: overflow. One ulp less stays finite.
    let edge = num_traits::pow(two.clone(), 1024) - num_traits::pow(two.clone(), 970);
    assert!(int_to_f64(IntRef::Big(&edge)).is_err());
    let below = num_traits::pow(two.clone(), 1024) - num_traits::pow(two.clone(), 971);
    assert_eq!(int_to_f64(IntRef::Big(&below)).unwrap(), f64::MAX);
    // Ties to even: 2**53 + 1 -> 2**53; 2**53 + 3 -> 2**53 + 4; sticky bits break ties.
    let p53 = num_traits::pow(two.clone(), 53);
    let p200 = num_traits::pow(two, 200);
    let check = |v: BigInt, want: f64| assert_eq!(int_to_f64(IntRef::Big(&v)).unwrap(), want);
    check(&p53 + 1, 9007199254740992.0);
    check(&p53 + 3, 9007199254740996.0);
    check((&p53 + 1) * &p200 + 1, 9007199254740994.0 * 2f64.powi(200));
}

#[test]
fn printable_table_sanity() {
    assert!(is_printable(' '));
    assert!(!is_printable('\u{a0}'));
    assert!(is_printable('é'));
    assert!(!is_printable('\u{ad}'));
    assert!(!is_printable('\u{10ffff}'));
    assert!(is_printable('中'));
    assert_eq!(NON_PRINTABLE.len() % 2, 0);
    assert!(NON_PRINTABLE.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn no_panics_on_garbage() {
    let mut state = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let pool: Vec<char> = "0123456789%.*#+- _,<>=^zxXdeEfFgGn%csrai(){}lhL\u{0}é\u{661}\u{ffff}😀"
        .chars()
        .collect();
    let big = num_traits::pow(BigInt::from(7), 3000);
    let floats = [
        0.0,
        -0.0,
        1.5,
        -2.5e-300,
        1e308,
        f64::NAN,
        f64::INFINITY,
        5e-324,
    ];
    for _ in 0..20_000 {
        let len = (next() % 12) as usize;
        let text: String = (0..len)
            .map(|_| pool[(next() % pool.len() as u64) as usize])
            .collect();
        let x = floats[(next() % floats.len() as u64) as usize];
        let _ = format_float(x, &text);
        let _ = format_int(next() as i64, &text);
        let _ = format_bigint(&big, &text);
        let _ = format_str(&text, &text);
        let _ = int_from_str(&text, (next() % 40) as i64 - 2);
        let _ = float_from_str(&text);
        let args = [
            SimpleArg::Int(next() as i64 % 50),
            SimpleArg::Float(x),
            SimpleArg::Str("é"),
            SimpleArg::BigInt(&big),
            SimpleArg::Bool(true),
            SimpleArg::None,
        ];
        let n = (next() % 7) as usize;
        let _ = percent_format(&text, PercentArgs::Tuple(&args[..n]));
        let _ = percent_format(&text, PercentArgs::Single(&args[n % 6]));
        let _ = str_repr(&text);
    }
    for nd in [i64::MIN, -400, -309, -308, -1, 0, 1, 323, 324, i64::MAX] {
        for x in floats {
            let _ = round_float(x, Some(nd));
        }
        let _ = round_int(&big, nd);
        let _ = round_int(&BigInt::from(-5), nd);
    }
    let _ = double_to_string(1.0, 'f', usize::MAX, DtoaFlags::default());
    let _ = double_to_string(1.0, 'e', usize::MAX, DtoaFlags::default());
    assert!(format_float(1.0, "2000000000").is_err());
    assert!(format_str("a", ">9999999999").is_err());
}
