module early.upbeat.invalid/earlyterm

go 1.26

require github.com/charmbracelet/lipgloss v1.1.0
