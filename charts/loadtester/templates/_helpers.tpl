{{- define "loadtester.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "loadtester.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "loadtester.selectorLabels" -}}
app.kubernetes.io/name: {{ include "loadtester.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "loadtester.labels" -}}
{{ include "loadtester.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "loadtester.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "loadtester.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "loadtester.tokenSecretName" -}}
{{- default (printf "%s-token" (include "loadtester.fullname" .)) .Values.token.existingSecret -}}
{{- end -}}

{{- define "loadtester.gatesConfigMapName" -}}
{{- default (printf "%s-gates" (include "loadtester.fullname" .)) .Values.gates.configMapName -}}
{{- end -}}

{{/* The load tester's flags, built from values. */}}
{{- define "loadtester.args" -}}
- --port={{ .Values.port }}
- --log-level={{ .Values.logLevel }}
- --timeout={{ .Values.cmd.timeout }}
{{- with .Values.cmd.namespaceRegexp }}
- --namespace-regexp={{ . }}
{{- end }}
- --max-tasks={{ .Values.maxTasks }}
- --max-body-bytes={{ int64 .Values.maxBodyBytes }}
{{- if .Values.token.enabled }}
- --token-file=/etc/loadtester/token/{{ .Values.token.key }}
{{- end }}
{{- if .Values.shell.enabled }}
- --enable-shell
{{- range .Values.shell.allowCommands }}
- --allow-command={{ . }}
{{- end }}
{{- end }}
- --gate-store={{ .Values.gates.store }}
{{- if eq .Values.gates.store "configmap" }}
- --gate-configmap={{ include "loadtester.gatesConfigMapName" . }}
- --gate-namespace={{ .Release.Namespace }}
{{- end }}
{{- if .Values.gates.autoClose }}
- --gate-auto-close
{{- end }}
{{- end -}}
