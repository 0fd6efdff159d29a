# AttributeError on a str method name close to a real one.
s = 'Hello'
print(s.lower())
print(s.lowercase())
