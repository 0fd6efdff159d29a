# TypeError: strings are immutable.
s = 'hello'
print(s.upper())
s[0] = 'j'
