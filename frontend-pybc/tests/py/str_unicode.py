# Non-ASCII strings: lengths, indexing, case mapping (full, final sigma, titlecase) and classes.
s = 'a\U0001f600b\u4e2dc\u00e9'
print(len(s), s[1], s[3], s[-1], s[::-1], s.upper(), s.find('\u4e2d'), s.index('c'), repr(s))
print('\u00df'.upper(), '\u0391\u03a3'.lower(), '\u03a3\u0391\u03a3 \u0391\u03a3.'.lower(), '\u0130'.lower(), len('\u0130'.lower()))
print('\ufb01'.upper(), '\u01c5'.lower(), '\u01c6'.title(), '\ufb00'.capitalize(), '\u00df'.title(), '\u01c4'.capitalize())
print('hello wORLD 3rd \u00e9t\u00e9'.title(), 'caf\u00e9 CAF\u00c9'.swapcase(), '\u00c9COLE'.lower())
print('\u0663'.isdigit(), '\u216b'.isdigit(), '3'.isdecimal(), '\u00e9'.isalpha(), '\u4e2d'.isalpha(), '\u00b2'.isdigit())
for ch in ['\u200b', '\xa0', '\u0301', '\U0001f600', '\u00ad', '\x85', '\u3000', '\ufeff', '\u0378', '\ue000', '\u2029', '\u1680', '\x7f', '\u00e9']:
    print(repr(ch), len(repr(ch)), ascii(ch))
print(sorted(['\u00e9', 'e', 'f', '\u4e2d', 'Z']), max('\u00e9t\u00e9'), 'x\u00e9'.center(6, '\u00b7'))
print(ord('\u4e2d'), chr(20013), chr(0x1f600), ord('\U0001f600'), [ord(c) for c in 'h\u00e9'])
