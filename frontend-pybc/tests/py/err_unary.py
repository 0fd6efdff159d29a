# TypeError: bad operand type for unary -.
print(-5, -2.5, -True)
print(-'text')
