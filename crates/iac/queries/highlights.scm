; HCL / Terraform highlights for tree-sitter-hcl (written for Redress).
; For the same node, tree-sitter-highlight keeps the LAST matching pattern,
; so general patterns come before specific ones.

(comment) @comment

; Block types and labels: resource "aws_s3_bucket" "logs" { … }
(block (identifier) @keyword)
(block (string_lit) @type)

; Attribute names and object keys
(attribute (identifier) @property)
(object_elem key: (expression (variable_expr (identifier) @property)))
(get_attr (identifier) @property)

; Functions
(function_call (identifier) @function)

; Terraform's built-in namespaces
(variable_expr (identifier) @variable)
((variable_expr (identifier) @variable.builtin)
  (#match? @variable.builtin "^(var|local|module|data|path|each|count|self|terraform)$"))

; Literals
(numeric_lit) @number
(bool_lit) @constant
(null_lit) @constant
; (strings in expressions only, so block labels above keep @type)
(literal_value (string_lit) @string)
(template_expr (quoted_template) @string)
(template_expr (heredoc_template) @string)

; Template interpolation markers
(template_interpolation_start) @punctuation.special
(template_interpolation_end) @punctuation.special
(template_directive_start) @punctuation.special
(template_directive_end) @punctuation.special

; Keywords inside expressions and templates
["for" "in" "if" "else" "endif" "endfor"] @keyword

; Operators and punctuation
["=" "?" ":" "=>" "!" "==" "!=" "<" ">" "<=" ">=" "+" "-" "*" "/" "%" "&&" "||"] @operator
[(block_start) (block_end) (object_start) (object_end) (tuple_start) (tuple_end) "(" ")" "[" "]"] @punctuation.bracket
[(ellipsis) "," "." ".*" "[*]"] @punctuation.delimiter
